/// An owned, growable, uninitialised-then-zeroed Float buffer for the workspace (no copy-on-write in hot loops).
final class FloatBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Ensures room for `count` floats (contents are lost when it grows).
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        pointer.deallocate()
        capacity = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    func zero(_ count: Int) { pointer.update(repeating: 0, count: count) }

    func fill(_ count: Int, with value: Float) { pointer.update(repeating: value, count: count) }

    func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}
