using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>The kernels one int8 step needs, for one instruction set. Every variant gives bit-identical results.</summary>
public interface ILstmKernels
{
    string Name { get; }
    /// <summary>Exact only for 7-bit weights (|w| ≤ 63): see <see cref="IInt8Dot.NeedsSevenBitWeights"/>.</summary>
    bool NeedsSevenBitWeights { get; }
    /// <summary>
    /// y[r] = Σ_j w[r, j]·x[j] for dense row-major w [y.Length, x.Length], exactly. <paramref name="rowSums"/>
    /// holds Σ_j w[r, j] per row (<c>Int8Reference.RowSums</c>): variants that multiply by a biased
    /// activation need it to remove the bias; the others ignore it.
    /// </summary>
    void MatVec(ReadOnlySpan<sbyte> w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y);
    /// <summary>True when <see cref="PanelMatVec"/> runs here (variants with panel products; the others take <see cref="MatVec"/>).</summary>
    bool HasPanels { get; }
    /// <summary>
    /// The same product from the repacked matrix (<see cref="Int8.Int8Panels"/>), for its rows [64·firstBlock,
    /// 64·firstBlock + y.Length) (y.Length a multiple of 64 or reaching its last row); <paramref name="rowSums"/> for those rows.
    /// </summary>
    void PanelMatVec(Int8.Int8Panels w, int firstBlock, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y);
    /// <summary>
    /// Exact products of an int4 matrix's rows [start, start + y.Length) with x (y[i] = Σ_g m·Σ q·x of row start + i):
    /// any start and length; whole 64-row blocks go straight to y.
    /// </summary>
    void Int4MatVec(Int4Panels w, int start, ReadOnlySpan<sbyte> x, Span<int> y);
    /// <summary>y[b·rows + r] for <paramref name="count"/> vectors: each 64-row block is read from memory once for all of them.</summary>
    void Int4MatMul(Int4Panels w, ReadOnlySpan<sbyte> x, int count, Span<int> y);
    /// <summary>The same over the kept 1×16 blocks only (row sums over the kept weights).</summary>
    void BlockSparseMatVec(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y);
    /// <summary>y[b·rows + r] = Σ_j w[r, j]·x[b·cols + j] for <paramref name="count"/> vectors: each weight row is read once for all of them.</summary>
    void MatMul(ReadOnlySpan<sbyte> w, ReadOnlySpan<int> rowSums, int cols, ReadOnlySpan<sbyte> x, int count, Span<int> y);
    /// <summary>Dynamic symmetric quantization of an activation vector; returns its scale.</summary>
    float Quantize(ReadOnlySpan<float> x, Span<sbyte> q);
    /// <summary>Quantization with a fixed scale (static activation scales from calibration).</summary>
    void QuantizeWithScale(ReadOnlySpan<float> x, Span<sbyte> q, float scale);
    /// <summary>The fused LSTM cell update (see <c>FloatParts.GateUpdate</c>).</summary>
    void GateUpdate(ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h);
    /// <summary>The cell update for units [from, to) only; two threads can each take a part.</summary>
    void GateUpdate(ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h, int from, int to);
    /// <summary>
    /// Exact int32 products back to float: y[v] = bias[v] + acc[v]·(scale[v]·inputScale), for an output layer's logits
    /// and any other int8 product (attention scores, the decoder's projections).
    /// </summary>
    void Dequantize(ReadOnlySpan<int> acc, ReadOnlySpan<float> scale, float inputScale, ReadOnlySpan<float> bias, Span<float> y);
}
