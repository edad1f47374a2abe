#if FUZZING
import Foundation

/// libFuzzer's entry point (built with `-sanitize=fuzzer -DFUZZING` by scripts/fuzz). The target
/// is chosen by $SOKUHO_FUZZ_TARGET.
let fuzzTarget = ProcessInfo.processInfo.environment["SOKUHO_FUZZ_TARGET"] ?? "report"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.run(fuzzTarget, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry as `<module>_main`: hand over to libFuzzer's driver.
@_cdecl("sokuho_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return runDriver(&c, &v) { data, size in fuzzOne(data, size) }
}
#else
import Foundation

/// Without libFuzzer: replays files (a corpus, or a crash found earlier) through a target.
/// `sokuho-fuzz TARGET FILE|DIR...` — used by the regression tests and to check a fix.
@main
struct Replay {
    static func main() throws {
        let args = CommandLine.arguments.dropFirst()
        guard let target = args.first, FuzzTargets.names.contains(target) else {
            FileHandle.standardError.write(Data("usage: sokuho-fuzz \(FuzzTargets.names.joined(separator: "|")) FILE|DIR...\n".utf8))
            exit(64)
        }
        var n = 0
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            let files =
                isDir.boolValue ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 } : [path]
            for f in files {
                guard let d = FileManager.default.contents(atPath: f) else { continue }
                FuzzTargets.run(target, Array(d))
                n += 1
            }
        }
        print("\(target): \(n) inputs replayed, no failure")
    }
}
#endif
