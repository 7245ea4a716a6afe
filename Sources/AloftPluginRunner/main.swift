// aloft-plugin-runner: the process in which the host lets plugin code run before (or instead of) its own.
//
//   aloft-plugin-runner probe FILE    load FILE as the host would, reporting each step (see ProbeChild);
//                                     the request (init budget, plugin config) is JSON on standard input
//   aloft-plugin-runner serve         `isolation: process`: load the plugin the host names in its first
//                                     frame on descriptor 3 and serve its calls there (see RunnerServer)
import AloftWire
import Foundation
import PluginHost

let arguments = CommandLine.arguments
if arguments.count == 2, arguments[1] == "serve" {
    await RunnerServer.serve(fd: 3)
}
guard arguments.count == 3, arguments[1] == "probe" else {
    FileHandle.standardError.write(
        Data(
            "usage: aloft-plugin-runner probe FILE  (request JSON on stdin)\n       aloft-plugin-runner serve  (frames on descriptor 3)\n"
                .utf8))
    exit(64)
}
let input = FileHandle.standardInput.readDataToEndOfFile()
guard let json = try? JSONParser.parse([UInt8](input)), let request = ProbeRequest(json: json) else {
    FileHandle.standardError.write(
        Data("aloft-plugin-runner: the request on standard input is not a probe request\n".utf8))
    exit(65)
}
ProbeChild.run(path: arguments[2], request: request)
