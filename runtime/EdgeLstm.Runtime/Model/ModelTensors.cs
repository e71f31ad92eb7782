namespace EdgeLstm.Runtime;

/// <summary>What a tensor is for; the loaders and the converter switch on it, never on names.</summary>
public enum TensorRole
{
    Embedding,
    /// <summary>Word affix features (input.affixes): one row per hash bucket, looked up and summed like the embedding.</summary>
    AffixEmbedding,
    /// <summary>The character BiLSTM per word (input.characters): its embedding and its LSTM (Layer 0, Reverse).</summary>
    CharEmbedding,
    CharWeightIh,
    CharWeightHh,
    CharBiasIh,
    CharBiasHh,
    CharFusedBias,
    WeightIh,
    WeightHh,
    /// <summary>PyTorch keeps two LSTM biases; the float exchange format stores both.</summary>
    BiasIh,
    BiasHh,
    /// <summary>b_ih + b_hh, as .elstm stores them (one add fewer per step, same sums).</summary>
    FusedBias,
    /// <summary>Attention pooling: one score per step, w · o_t + b.</summary>
    PoolWeight,
    PoolBias,
    HeadWeight,
    HeadBias,
    /// <summary>Sequence-to-sequence: the decoder's first h from the encoder's final outputs (weight, bias).</summary>
    BridgeWeight,
    BridgeBias,
    /// <summary>Sequence-to-sequence: the decoder's own embedding and LSTM (Layer 0).</summary>
    DecoderEmbedding,
    DecoderWeightIh,
    DecoderWeightHh,
    DecoderBiasIh,
    DecoderBiasHh,
    DecoderFusedBias,
    /// <summary>Sequence-to-sequence: W_a (keys of the general attention) and W_c (mixing context and h).</summary>
    AttentionWeight,
    AttentionOutWeight,
    /// <summary>A tag head's CRF: tag-to-tag transition scores [L, L] and the scores of the first and last tag [L].</summary>
    CrfTransitions,
    CrfStart,
    CrfEnd,
}

/// <summary>
/// One tensor of a model: its name, shape and role; <see cref="Layer"/> and <see cref="Reverse"/> (a direction that
/// reads backward: a bidirectional layer's second, or a reverse layer's only one; named *_reverse) for LSTM tensors.
/// </summary>
public sealed record TensorSpec(string Name, long[] Shape, TensorRole Role, int Layer = -1, bool Reverse = false)
{
    /// <summary>Matrices the converter may quantize to int8 and prune (the attention pooling vector stays float).</summary>
    public bool IsQuantizable => Role is TensorRole.Embedding or TensorRole.AffixEmbedding or TensorRole.WeightIh or TensorRole.WeightHh or TensorRole.HeadWeight
        or TensorRole.DecoderEmbedding or TensorRole.DecoderWeightIh or TensorRole.DecoderWeightHh or TensorRole.AttentionWeight or TensorRole.AttentionOutWeight
        or TensorRole.BridgeWeight;
    public bool IsPrunable => Role is TensorRole.WeightIh or TensorRole.WeightHh or TensorRole.HeadWeight;
    /// <summary>Quantizable matrices the int8 kernels multiply (the embeddings are looked up instead): 7-bit in files with weight_bits 7.</summary>
    public bool IsMultiplied => IsQuantizable && Role is not (TensorRole.Embedding or TensorRole.AffixEmbedding or TensorRole.DecoderEmbedding);
    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}

/// <summary>
/// The tensors of a model, derived from its description: the one list that the float and int8 loaders, the
/// converter, pruning, <c>info</c> and the fuzzer iterate. Names are PyTorch's state_dict names for a module with
/// fields <c>embedding</c> (nn.Embedding), <c>lstm</c> (nn.LSTM, the reverse direction of bidirectional layers as
/// <c>*_reverse</c>; a reverse-only layer has those names alone, which nn.LSTM cannot make),
/// <c>pool</c> (nn.Linear(D, 1), attention pooling only) and <c>fc</c> (nn.Linear); docs/model-description.md.
/// </summary>
public static class ModelTensors
{
    // The modules, as a TorchSharp or PyTorch network names its fields (the trainer registers its layers under these).
    public const string EmbeddingModule = "embedding";
    public const string LstmModule = "lstm";
    public const string PoolModule = "pool";
    public const string HeadModule = "fc";
    public const string BridgeModule = "bridge";
    public const string DecoderEmbeddingModule = "decoder_embedding";
    public const string DecoderLstmModule = "decoder_lstm";
    public const string AttentionModule = "attention";
    public const string AttentionOutModule = "attention_out";

    public const string EmbeddingWeight = EmbeddingModule + ".weight";
    public const string AffixModule = "affixes";
    public const string AffixWeight = AffixModule + ".weight";
    /// <summary>The character BiLSTM per word: module <c>chars</c> holding <c>embedding</c> and <c>lstm</c>.</summary>
    public const string CharModule = "chars";
    public const string CharEmbeddingWeight = CharModule + ".embedding.weight";
    public const string CharLstmModule = CharModule + ".lstm";
    public const string PoolWeight = PoolModule + ".weight";
    public const string PoolBias = PoolModule + ".bias";
    public const string CrfModule = "crf";
    public const string CrfTransitions = CrfModule + ".transitions";
    public const string CrfStart = CrfModule + ".start";
    public const string CrfEnd = CrfModule + ".end";
    public const string HeadWeight = HeadModule + ".weight";
    public const string HeadBias = HeadModule + ".bias";
    public const string BridgeWeight = BridgeModule + ".weight";
    public const string BridgeBias = BridgeModule + ".bias";
    public const string DecoderEmbedding = DecoderEmbeddingModule + ".weight";
    public const string DecoderWeightIh = DecoderLstmModule + ".weight_ih_l0";
    public const string DecoderWeightHh = DecoderLstmModule + ".weight_hh_l0";
    public const string DecoderBiasIh = DecoderLstmModule + ".bias_ih_l0";
    public const string DecoderBiasHh = DecoderLstmModule + ".bias_hh_l0";
    public const string DecoderFusedBias = DecoderLstmModule + ".bias_l0";
    public const string AttentionWeight = AttentionModule + ".weight";
    public const string AttentionOutWeight = AttentionOutModule + ".weight";
    /// <summary>.elstm only: each layer's static h scale, when the converter fixed them (--calib).</summary>
    public const string StaticHScales = LstmModule + ".h_scales";

    /// <summary>.elstm only: the F32 tensor holding an int8 matrix's per-row scales.</summary>
    public static string ScaleOf(string matrix) => matrix + ScaleSuffix;

    /// <summary>The matrix whose scales a tensor named by <see cref="ScaleOf"/> holds, or null for any other name.</summary>
    public static string? MatrixOfScale(string name) => name.EndsWith(ScaleSuffix, StringComparison.Ordinal) ? name[..^ScaleSuffix.Length] : null;

    private const string ScaleSuffix = ".scale";

    public static string WeightIh(int layer, bool reverse = false) => $"{LstmModule}.weight_ih_l{layer}{Suffix(reverse)}";
    public static string WeightHh(int layer, bool reverse = false) => $"{LstmModule}.weight_hh_l{layer}{Suffix(reverse)}";
    public static string BiasIh(int layer, bool reverse = false) => $"{LstmModule}.bias_ih_l{layer}{Suffix(reverse)}";
    public static string BiasHh(int layer, bool reverse = false) => $"{LstmModule}.bias_hh_l{layer}{Suffix(reverse)}";
    public static string FusedBias(int layer, bool reverse = false) => $"{LstmModule}.bias_l{layer}{Suffix(reverse)}";
    /// <summary>The reverse direction's name of a forward LSTM tensor name (lstm.weight_ih_l0 → lstm.weight_ih_l0_reverse).</summary>
    public static string ReverseOf(string forwardName) => forwardName + Suffix(true);
    private static string Suffix(bool reverse) => reverse ? "_reverse" : "";

    /// <param name="fusedBiases">.elstm naming (one fused bias per direction) instead of PyTorch's two.</param>
    public static IReadOnlyList<TensorSpec> Of(ModelDescription d, bool fusedBiases)
    {
        var list = new List<TensorSpec>();
        if (d.Input.Kind == InputKinds.Tokens)
            list.Add(new(EmbeddingWeight, [d.Input.Tokenizer!.Vocabulary.Length, d.Input.Size], TensorRole.Embedding));
        if (d.Input.Affixes is { } affixes)
            list.Add(new(AffixWeight, [affixes.Buckets, affixes.Size], TensorRole.AffixEmbedding));
        if (d.Input.Characters is { } chars)
        {
            list.Add(new(CharEmbeddingWeight, [chars.Vocabulary.Length, chars.Size], TensorRole.CharEmbedding));
            foreach (bool reverse in (bool[])[false, true])
            {
                string suffix = Suffix(reverse);
                list.Add(new($"{CharLstmModule}.weight_ih_l0{suffix}", [4L * chars.Hidden, chars.Size], TensorRole.CharWeightIh, 0, reverse));
                list.Add(new($"{CharLstmModule}.weight_hh_l0{suffix}", [4L * chars.Hidden, chars.Hidden], TensorRole.CharWeightHh, 0, reverse));
                if (fusedBiases) list.Add(new($"{CharLstmModule}.bias_l0{suffix}", [4L * chars.Hidden], TensorRole.CharFusedBias, 0, reverse));
                else
                {
                    list.Add(new($"{CharLstmModule}.bias_ih_l0{suffix}", [4L * chars.Hidden], TensorRole.CharBiasIh, 0, reverse));
                    list.Add(new($"{CharLstmModule}.bias_hh_l0{suffix}", [4L * chars.Hidden], TensorRole.CharBiasHh, 0, reverse));
                }
            }
        }
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            long rows = 4L * d.Encoder[k].Hidden;
            int input = d.LayerInputWidth(k);
            for (int direction = 0; direction < d.Encoder[k].Directions; direction++)
            {
                bool reverse = d.Encoder[k].ReadsBackward(direction);
                list.Add(new(WeightIh(k, reverse), [rows, input], TensorRole.WeightIh, k, reverse));
                list.Add(new(WeightHh(k, reverse), [rows, d.Encoder[k].Hidden], TensorRole.WeightHh, k, reverse));
                if (fusedBiases)
                {
                    list.Add(new(FusedBias(k, reverse), [rows], TensorRole.FusedBias, k, reverse));
                }
                else
                {
                    list.Add(new(BiasIh(k, reverse), [rows], TensorRole.BiasIh, k, reverse));
                    list.Add(new(BiasHh(k, reverse), [rows], TensorRole.BiasHh, k, reverse));
                }
            }
        }
        if (d.Head.Pooling == Poolings.Attention)
        {
            list.Add(new(PoolWeight, [1, d.EncoderWidth], TensorRole.PoolWeight));
            list.Add(new(PoolBias, [1], TensorRole.PoolBias));
        }
        if (d.Head.Decoder is { } decoder)
        {
            int width = d.EncoderWidth, hidden = decoder.Hidden;
            list.Add(new(BridgeWeight, [hidden, width], TensorRole.BridgeWeight));
            list.Add(new(BridgeBias, [hidden], TensorRole.BridgeBias));
            list.Add(new(DecoderEmbedding, [d.Head.Size, decoder.Embedding], TensorRole.DecoderEmbedding));
            list.Add(new(DecoderWeightIh, [4L * hidden, decoder.Embedding], TensorRole.DecoderWeightIh, 0));
            list.Add(new(DecoderWeightHh, [4L * hidden, hidden], TensorRole.DecoderWeightHh, 0));
            if (fusedBiases) list.Add(new(DecoderFusedBias, [4L * hidden], TensorRole.DecoderFusedBias, 0));
            else
            {
                list.Add(new(DecoderBiasIh, [4L * hidden], TensorRole.DecoderBiasIh, 0));
                list.Add(new(DecoderBiasHh, [4L * hidden], TensorRole.DecoderBiasHh, 0));
            }
            list.Add(new(AttentionWeight, [hidden, width], TensorRole.AttentionWeight));
            list.Add(new(AttentionOutWeight, [hidden, width + hidden], TensorRole.AttentionOutWeight));
            list.Add(new(HeadWeight, [d.Head.Size, hidden], TensorRole.HeadWeight));
        }
        else list.Add(new(HeadWeight, [d.Head.Size, d.EncoderWidth], TensorRole.HeadWeight));
        list.Add(new(HeadBias, [d.Head.Size], TensorRole.HeadBias));
        if (d.Head.Crf)
        {
            list.Add(new(CrfTransitions, [d.Head.Size, d.Head.Size], TensorRole.CrfTransitions));
            list.Add(new(CrfStart, [d.Head.Size], TensorRole.CrfStart));
            list.Add(new(CrfEnd, [d.Head.Size], TensorRole.CrfEnd));
        }
        return list;
    }
}
