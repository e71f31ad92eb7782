namespace EdgeLstm.Trainer;

/// <summary>
/// The pooled and per-step heads over tokens — classify, tag (pooling none) and regress: embedding → nn.LSTM
/// (forward or bidirectional) over packed sequences → pooling → dropout → fc. Padding (id 0) never reaches the LSTM
/// and the pooling masks the padded steps, so a sentence's outputs do not depend on what it is batched with. The
/// pooling formulas are <see cref="SequencePooling"/>'s.
/// </summary>
public sealed class ClassifierNetwork : TaskNetwork
{
    private readonly Linear? pool;
    private readonly Linear fc;

    public ClassifierNetwork(ModelDescription description, double dropout) : base(description, dropout, paddingIndex: WordTokenizer.PadId)
    {
        if (description.Kind is not (ModelTask.Classifier or ModelTask.Tagger or ModelTask.Regressor) || description.Input.Kind != InputKinds.Tokens)
            throw new ArgumentException($"a '{description.Task}' description, not one of a pooled or per-step head over tokens");
        if (description.Head.Pooling == Poolings.Attention) pool = Add(ModelTensors.PoolModule, nn.Linear(description.EncoderWidth, 1));
        fc = Add(ModelTensors.HeadModule, nn.Linear(description.EncoderWidth, description.Head.Size));
        if (description.Head.Crf) Crf = Add(ModelTensors.CrfModule, new CrfLayer(description.Head.Size));
    }

    /// <summary>A tagger's CRF (head.crf), or null.</summary>
    public CrfLayer? Crf { get; }

    /// <summary>A classifier's (or, with pooling none, a tagger's) description.</summary>
    public static ModelDescription Describe(ITokenizer tokenizer, int embeddingDim, int hidden, int layers, bool bidirectional, string pooling, string[] labels,
        int? maxTokens = null, bool crf = false, AffixDescription? affixes = null, CharacterEncoderDescription? characters = null) => new()
    {
        Input = new InputDescription { Kind = InputKinds.Tokens, Size = embeddingDim, Tokenizer = tokenizer.ToDescription(), MaxSteps = maxTokens, Affixes = affixes, Characters = characters },
        Encoder = Enumerable.Range(0, layers).Select(_ => new EncoderLayerDescription { Hidden = hidden, Bidirectional = bidirectional }).ToArray(),
        Head = new HeadDescription { Kind = pooling == Poolings.None ? HeadKinds.Tag : HeadKinds.Classify, Pooling = pooling, Size = labels.Length, Labels = labels, Crf = crf },
    };

    public string Pooling => Description.Head.Pooling;

    /// <summary>tokens [B, T] (padded with 0), lengths [B] (int64, on the CPU) → outputs [B, head size]. Affix ids: see <see cref="TaskNetwork.Input"/>.</summary>
    public Tensor Forward(Tensor tokens, Tensor lengths, Tensor? affixIds = null)
    {
        using var scope = NewDisposeScope();
        var (output, h, mask) = EncodePadded(tokens, lengths, affixIds);
        Tensor pooled = Pooling switch
        {
            Poolings.Last => LastState(h),
            Poolings.Mean => output.sum(1).div(lengths.unsqueeze(1).to_type(ScalarType.Float32)),
            Poolings.Max => output.masked_fill(mask.logical_not().unsqueeze(2), float.NegativeInfinity).amax([1]),
            Poolings.Attention => Attend(output, mask),
            _ => throw new ArgumentException($"pooling '{Pooling}' is not one of last, mean, max, attention"),
        };
        return fc.call(Drop(pooled)).MoveToOuterDisposeScope();
    }

    /// <summary>The per-step head (pooling none): tokens [B, T], lengths [B] → outputs at every step [B, Tmax, head size] (rows past a length are padding).</summary>
    public Tensor ForwardSteps(Tensor tokens, Tensor lengths, Tensor? affixIds = null, (Tensor Ids, Tensor Lengths)? chars = null)
    {
        using var scope = NewDisposeScope();
        var (output, _, _) = EncodePadded(tokens, lengths, affixIds, chars);
        return fc.call(Drop(output)).MoveToOuterDisposeScope();
    }

    private Tensor Attend(Tensor output, Tensor mask)
    {
        var scores = pool!.call(output).squeeze(2).masked_fill(mask.logical_not(), float.NegativeInfinity);
        var weights = scores.softmax(1).unsqueeze(2);
        return output.mul(weights).sum(1);
    }
}
