// Small f32 vector operations of the forward pass. SIMD16 arithmetic on a single element type
// compiles to the same code as C here (swift-stack.md §3); no element-type conversions.

@inline(__always)
private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 16 <= count {
        acc.addProduct(load16(a + i), load16(b + i))
        i += 16
    }
    var sum = acc.sum()
    while i < count {
        sum += a[i] * b[i]
        i += 1
    }
    return sum
}

/// y += a * x
@inline(__always)
func addScaled(_ x: UnsafePointer<Float>, _ a: Float, to y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let scale = SIMD16<Float>(repeating: a)
    while i + 16 <= count {
        var v = load16(y + i)
        v.addProduct(scale, load16(x + i))
        store16(v, y + i)
        i += 16
    }
    while i < count {
        y[i] += a * x[i]
        i += 1
    }
}

/// y += x
func add(_ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
    addScaled(x, 1, to: y, count: count)
}

/// out = x / sqrt(mean(x²) + epsilon) * weight
func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epsilon: Float,
             into out: UnsafeMutablePointer<Float>, count: Int) {
    let meanSquare = dot(x, x, count: count) / Float(count)
    let scale = 1 / (meanSquare + epsilon).squareRoot()
    for i in 0..<count { out[i] = x[i] * scale * weight[i] }
}
