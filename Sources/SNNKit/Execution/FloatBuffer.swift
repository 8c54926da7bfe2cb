/// An owned, growable, zero-initialised buffer for the workspace (no copy-on-write in hot loops), aligned to a cache
/// line.
///
/// (`malloc` returns large blocks 16 bytes past a page boundary, so every other 32-byte vector access along a row
/// straddles two cache lines: 64-byte alignment made the reference train step 3–7 % faster, two-trainer A/B, session 7.)
final class WorkspaceBuffer<Element: Numeric> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = Self.allocate(self.capacity)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    /// A cache line of x86-64 (and a multiple of every vector width the kernels use).
    static var alignment: Int { 64 }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Element>.stride, alignment: alignment)
        let p = raw.bindMemory(to: Element.self, capacity: count)
        p.initialize(repeating: 0, count: count)
        return p
    }

    /// Ensures room for `count` elements (contents are lost when it grows).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        UnsafeMutableRawPointer(pointer).deallocate()
        capacity = count
        pointer = Self.allocate(count)
    }

    func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }

    func fill(_ count: Int, with value: Element) { pointer.update(repeating: value, count: count) }

    func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

/// Float sequences and scratch of the workspace.
typealias FloatBuffer = WorkspaceBuffer<Float>
/// Indices such as max-pooling winners.
typealias Int32Buffer = WorkspaceBuffer<Int32>
