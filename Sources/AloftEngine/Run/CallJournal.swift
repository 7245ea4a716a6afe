import AloftSystem
import FoundationEssentials
import Glibc
import Synchronization

/// Which synchronous calls of a chain are in flight, kept in a memory-mapped file instead of the store
/// (issue 18). A call's mark must survive the host dying inside the call, so that the next host counts the
/// death (issue 16); a chain's mark in the store cost one commit per node. A store into a shared file
/// mapping is in the kernel's page cache the moment it is made and survives the process being killed
/// (SIGKILL, a crash in the plugin): the host it is for. (It does not survive the machine losing power; a
/// death lost that way was not a plugin crashing the host, and the node is simply run again.)
///
/// One directory per execution under the store's `calls/`; one file per host process that ran a chain of
/// it, 64 slots of 512 bytes, one slot per chain in flight: `[UInt32 path length][UInt32 attempt][path]`,
/// length 0 for a slot not in a call. The length is written last. A host resuming the execution reads every
/// file there once: a node named in a slot, with no record in the store, died in its call. (A node with a
/// record committed after its journaled call is past that call; the rule makes reading old files again
/// harmless.) The directory is removed when the execution ends.
final class CallJournal: Sendable {
    static let slotSize = 512
    static let slotCount = 64
    static let maxPath = slotSize - 8

    /// Whether a slot can name this node path.
    static func holds(_ path: String) -> Bool { (1...maxPath).contains(path.utf8.count) }

    private let directory: String
    /// The calls a previous host of this execution died in: attempt by node path.
    let diedIn: [String: Int]
    private let state = Mutex<State>(State())

    private struct State {
        var mapping: Mapping?
        var opened = false
        var free: [Int] = Array((0..<CallJournal.slotCount).reversed())
    }

    /// The mapped file: its address, owned by this journal (never unmapped while a slot may use it).
    struct Mapping: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
    }

    /// One chain's slot: marks the call in flight, and clears it.
    struct Slot: Sendable {
        let index: Int
        let mapping: Mapping

        private var at: UnsafeMutableRawPointer { mapping.base + index * CallJournal.slotSize }

        /// The node's call is about to be made. False: its path does not fit (the call is not journaled).
        func enter(_ path: String, attempt: Int) -> Bool {
            guard CallJournal.holds(path) else { return false }
            let bytes = Array(path.utf8)
            bytes.withUnsafeBytes { (at + 8).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            at.storeBytes(of: UInt32(truncatingIfNeeded: attempt), toByteOffset: 4, as: UInt32.self)
            at.storeBytes(of: UInt32(bytes.count), as: UInt32.self)
            return true
        }

        func leave() { at.storeBytes(of: UInt32(0), as: UInt32.self) }
    }

    /// The journal of `execution` under `root` (the store's `calls/` directory), with what earlier hosts left.
    init(root: String, execution: String) {
        directory = root + "/" + Self.safe(execution)
        diedIn = Self.read(directory)
    }

    /// A slot for a chain, nil when every slot is taken or the file cannot be made (the chain then commits a
    /// mark per call in the store, as before).
    func acquire() -> Slot? {
        state.withLock { s -> Slot? in
            if !s.opened {
                s.opened = true
                s.mapping = Self.create(directory)
            }
            guard let mapping = s.mapping, let index = s.free.popLast() else { return nil }
            return Slot(index: index, mapping: mapping)
        }
    }

    /// The chain is over and its slot cleared. (A slot whose call was abandoned, still running, is never given
    /// back.)
    func release(_ slot: Slot) {
        slot.leave()
        state.withLock { $0.free.append(slot.index) }
    }

    /// The execution ended: its journal files go. The mapping stays (a stuck call's thread may still clear its
    /// slot); the file behind it is unlinked.
    func remove() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names { unlink(directory + "/" + name) }
        rmdir(directory)
    }

    /// An execution id as one path component (ids are checked elsewhere; anything else is hex-escaped).
    private static func safe(_ id: String) -> String {
        let plain = id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
        return plain && !id.isEmpty ? id : "x" + DecimalText.hex(id.utf8)
    }

    /// This host's file, made and mapped.
    private static func create(_ directory: String) -> Mapping? {
        mkdir(PathString.parent(directory), 0o700)
        mkdir(directory, 0o700)
        let path = directory + "/" + UUID().uuidString
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = slotSize * slotCount
        guard ftruncate(fd, off_t(size)) == 0 else { return nil }
        let base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let base, base != MAP_FAILED else { return nil }
        return Mapping(base: base)
    }

    /// Every call in flight that the files of earlier hosts name.
    private static func read(_ directory: String) -> [String: Int] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var died: [String: Int] = [:]
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            let bytes = [UInt8](data)
            var at = 0
            while at + slotSize <= bytes.count {
                let word = { (o: Int) in
                    UInt32(bytes[at + o]) | UInt32(bytes[at + o + 1]) << 8 | UInt32(bytes[at + o + 2]) << 16
                        | UInt32(bytes[at + o + 3]) << 24
                }
                let length = Int(word(0))
                if length > 0, length <= maxPath {
                    died[String(decoding: bytes[(at + 8)..<(at + 8 + length)], as: UTF8.self)] = Int(word(4))
                }
                at += slotSize
            }
        }
        return died
    }
}
