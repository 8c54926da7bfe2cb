/// An owned, growable, zero-initialised buffer for the workspace (no copy-on-write in hot loops).
final class WorkspaceBuffer<Element: Numeric> {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Ensures room for `count` elements (contents are lost when it grows).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }

    func fill(_ count: Int, with value: Element) { pointer.update(repeating: value, count: count) }

    func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

/// Float sequences and scratch of the workspace.
typealias FloatBuffer = WorkspaceBuffer<Float>
/// Indices such as max-pooling winners.
typealias Int32Buffer = WorkspaceBuffer<Int32>
