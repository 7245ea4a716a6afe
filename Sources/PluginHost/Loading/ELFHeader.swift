import FoundationEssentials

/// The few fields of an ELF file header the host checks before letting the dynamic loader near a file:
/// what it is, which machine it was built for, and whether the file is as long as its header says.
struct ELFHeader {
    /// 1: 32-bit, 2: 64-bit (EI_CLASS).
    let fileClass: UInt8
    /// ET_DYN (3) for shared objects.
    let type: UInt16
    /// e_machine: the instruction set.
    let machine: UInt16
    /// Where the section header table ends (e_shoff + e_shnum * e_shentsize): the file must reach it.
    let sectionTableEnd: UInt64

    static let sharedObject: UInt16 = 3

    /// Nil when the bytes do not start with an ELF header. Only little-endian files are read (every
    /// architecture Aloft runs on); a big-endian one is reported by its machine field, byte-swapped.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            return nil
        }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt64 { (0..<4).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        fileClass = bytes[4]
        type = u16(16)
        machine = bytes[5] == 2 ? u16(18).byteSwapped : u16(18)
        if fileClass == 2 {
            sectionTableEnd = u64(0x28) + UInt64(u16(0x3C)) * UInt64(u16(0x3A))
        } else {
            sectionTableEnd = u32(0x20) + UInt64(u16(0x30)) * UInt64(u16(0x2E))
        }
    }

    /// The machine this host's code runs on.
    static var hostMachine: UInt16 {
        #if arch(x86_64)
        return 62
        #elseif arch(arm64)
        return 183
        #elseif arch(riscv64)
        return 243
        #else
        return 0
        #endif
    }

    static var hostClass: UInt8 { MemoryLayout<Int>.size == 8 ? 2 : 1 }

    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 3: return "x86 (i386)"
        case 8: return "MIPS"
        case 20: return "PowerPC"
        case 21: return "PowerPC 64"
        case 22: return "s390"
        case 40: return "ARM (32-bit)"
        case 62: return "x86-64"
        case 183: return "AArch64"
        case 243: return "RISC-V"
        case 258: return "LoongArch"
        default: return "machine \(machine)"
        }
    }
}
