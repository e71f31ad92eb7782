namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// An exact int8 dot product for one instruction set (operator struct, as in System.Numerics.Tensors): the
/// generic kernels are specialised per struct, so the calls inline. Operands are in [-127, 127].
/// </summary>
public interface IInt8Dot
{
    static abstract string Name { get; }
    static abstract bool IsSupported { get; }
    /// <summary>What a CPU needs to run this variant, for saying why it did not run ("AVX-VNNI", ...).</summary>
    static abstract string Requires { get; }
    /// <summary>Lanes of the float side (gate update, quantization) that go with this instruction set.</summary>
    static abstract int FloatWidth { get; }
    /// <summary>
    /// True when the x these methods take is biased: the bytes of x + 128 (x XOR 0x80, read as u8). Their sums
    /// are then Σw·(x + 128), and the caller subtracts 128·Σw with the matrix's row sums.
    /// </summary>
    static abstract bool BiasedActivations { get; }
    /// <summary>
    /// True for variants that are exact only when |w| ≤ 63 (files with <c>weight_bits: 7</c>): <see cref="LstmKernels"/>
    /// offers them for such files alone, and a model refuses them otherwise.
    /// </summary>
    static virtual bool NeedsSevenBitWeights => false;
    /// <summary>
    /// <see cref="Dot4"/> runs whole vectors, with no scalar tail, when the length is a multiple of this. Rows of
    /// other lengths are run zero-padded to the next multiple (<c>Int8LstmKernels.MatVec</c>); 1 = never pad.
    /// </summary>
    static virtual int RowMultiple => 1;
    /// <summary>Σ w[j]·x[j] over <paramref name="length"/> values, exactly.</summary>
    static abstract int Dot(ref sbyte w, ref sbyte x, int length);
    /// <summary>
    /// Four rows at once (rows r..r+3 start <paramref name="stride"/> bytes apart) against the same x: one
    /// horizontal reduction for four rows instead of four. Results go to y[0..3].
    /// </summary>
    static abstract void Dot4(ref sbyte w, int stride, ref sbyte x, int length, ref int y);
    /// <summary>
    /// <paramref name="acc"/> plus one 1×16 block's products as four int32 partial sums, left unreduced so a
    /// row's blocks are summed in a register and reduced once (exact: integer addition is associative).
    /// </summary>
    static abstract Vector128<int> AccumulateBlock16(Vector128<int> acc, ref sbyte w, ref sbyte x);
    /// <summary>
    /// [Σa, Σb, Σc, Σd] of four rows' unreduced 8-lane sums (the block-pair products). Integer sums, so any order
    /// gives the same result; the x64 variants override it with a transpose-and-add.
    /// </summary>
    static virtual Vector128<int> Reduce4(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) =>
        Vector128.Create(Vector256.Sum(a), Vector256.Sum(b), Vector256.Sum(c), Vector256.Sum(d));
    /// <summary>True for variants with a 256-bit <see cref="AccumulateBlockPair"/>.</summary>
    static virtual bool HasBlockPairs => false;
    /// <summary>
    /// Two consecutive 1×16 blocks of a row (32 contiguous weight bytes) against their two 16-byte slices of x,
    /// in one 256-bit multiply-add: half the instructions of two <see cref="AccumulateBlock16"/> calls.
    /// </summary>
    static virtual Vector256<int> AccumulateBlockPair(Vector256<int> acc, ref sbyte w, ref sbyte x0, ref sbyte x1) =>
        throw new NotSupportedException("this variant has no 256-bit block pairs");
    /// <summary>
    /// Two 1×16 blocks (32 weight bytes) against 32 contiguous activation bytes (a <see cref="BlockPairIndex"/>
    /// table entry): one load each side.
    /// </summary>
    static virtual Vector256<int> AccumulatePair(Vector256<int> acc, ref sbyte w, ref sbyte x) =>
        throw new NotSupportedException("this variant has no 256-bit block pairs");
    /// <summary>True for variants with <see cref="PanelBlock"/> (products of <see cref="Int8.Int8Panels"/>).</summary>
    static virtual bool HasPanels => false;
    /// <summary>
    /// One block of an <see cref="Int8.Int8Panels"/> matrix (64 rows, <paramref name="quads"/> column quads, from
    /// <paramref name="w"/>) against x (quads × 4 bytes, biased as <see cref="BiasedActivations"/> says): the 64 rows'
    /// sums to y[0..63], each quad's four bytes of x broadcast against eight or sixteen rows at once.
    /// </summary>
    static virtual void PanelBlock(ref sbyte w, ref sbyte x, int quads, ref int y) =>
        throw new NotSupportedException("this variant has no panel products");
    /// <summary>
    /// One 64-row block of an int4 matrix (<see cref="Format.Int4Panels"/>, <paramref name="groups"/> groups from
    /// <paramref name="w"/>) against x (groups × 32 bytes, not biased): y[0..63] = Σ_g m·Σ q·x, exactly.
    /// <paramref name="corrections"/> holds <see cref="Int4Products.Corrections"/> of x. Variants without a SIMD one
    /// run the portable loops.
    /// </summary>
    static virtual void Int4Block(ref byte w, ref sbyte x, ref int corrections, int groups, ref int y) =>
        Int4Products.PortableBlock(ref w, ref x, groups, ref y);
    /// <summary>True for variants with <see cref="Dot4x3"/> (batched products: prefill, batches of sessions).</summary>
    static virtual bool HasDot4x3 => false;
    /// <summary>
    /// Four rows against three vectors x0, x1, x2 (each <paramref name="length"/> bytes, length a multiple of 32):
    /// twelve independent multiply-add chains, each weight load used three times. Results go to y0[0..3],
    /// y1[0..3] and y2[0..3].
    /// </summary>
    static virtual void Dot4x3(ref sbyte w, int stride, ref sbyte x0, ref sbyte x1, ref sbyte x2, int length, ref int y0, ref int y1, ref int y2) =>
        throw new NotSupportedException("this variant has no four-by-three product");
}
