using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeLstm.Runtime;

/// <summary>
/// What a model is, in one place: its input, its encoder (a stack of LSTM layers, each forward, reverse or bidirectional)
/// and its head. The trainer writes it (safetensors metadata key <c>edgelstm.model</c>), the converter copies it
/// into the .elstm metadata (field <c>model</c>), and the loaders, <c>info</c>, the C ABI and the converter read it;
/// <see cref="ModelTensors.Of"/> derives every tensor's name and shape from it. Files older than the description
/// are mapped onto it when read (<see cref="DescriptionReader"/>). docs/model-description.md is the spec.
/// </summary>
public sealed record ModelDescription
{
    [JsonPropertyName("input")] public required InputDescription Input { get; init; }
    [JsonPropertyName("encoder")] public required EncoderLayerDescription[] Encoder { get; init; }
    [JsonPropertyName("head")] public required HeadDescription Head { get; init; }

    /// <summary>Width of the encoder's output at each step: the top layer's hidden size, twice that if bidirectional.</summary>
    [JsonIgnore] public int EncoderWidth => Encoder[^1].OutputWidth;

    /// <summary>
    /// Width of layer <paramref name="layer"/>'s input: the embedding (with the affix features and the character
    /// encoder's states after it, if any) or vector size, or the layer below's output.
    /// </summary>
    public int LayerInputWidth(int layer) => layer == 0 ? Input.Size + (Input.Affixes?.Size ?? 0) + (Input.Characters?.OutputWidth ?? 0) : Encoder[layer - 1].OutputWidth;

    /// <summary>The widest vector a layer reads or writes (input size or a layer's output width): what encoder buffers hold per step.</summary>
    [JsonIgnore] public int WidestLayerVector => Math.Max(LayerInputWidth(0), Encoder.Max(l => l.OutputWidth));

    /// <summary>The largest hidden size of any layer (one direction).</summary>
    [JsonIgnore] public int WidestHidden => Encoder.Max(l => l.Hidden);

    [JsonIgnore] public bool IsBidirectional => Array.Exists(Encoder, l => l.Bidirectional);

    /// <summary>Every layer reads its steps first to last only, so an output at step t has seen steps 0..t and no later one.</summary>
    [JsonIgnore] public bool IsForwardOnly => Array.TrueForAll(Encoder, l => l.ForwardOnly);

    /// <summary>The task's name as the CLI and C ABI show it: char-lm, word-lm, sequence, forecast, classify, tag, regress or seq2seq.</summary>
    [JsonIgnore]
    public string Task => Input.Series is not null ? Tasks.Forecast : Head.Kind switch
    {
        HeadKinds.NextToken => Input.Tokenizer?.Kind == TokenizerKinds.Word ? Tasks.WordLm : Tasks.CharLm,
        HeadKinds.Regress when Head.Pooling == Poolings.None => Tasks.Sequence,
        HeadKinds.AttentionDecoder => Tasks.Seq2Seq,
        _ => Head.Kind,
    };

    /// <summary>What the model does: the one place the input and head are read to tell tasks apart.</summary>
    [JsonIgnore]
    public ModelTask Kind => Input.Series is not null ? ModelTask.Forecaster : Head.Kind switch
    {
        HeadKinds.NextToken => ModelTask.LanguageModel,
        HeadKinds.Classify => ModelTask.Classifier,
        HeadKinds.Tag => ModelTask.Tagger,
        HeadKinds.AttentionDecoder => ModelTask.Transducer,
        _ => ModelTask.Regressor,
    };

    /// <summary>
    /// True when the head runs at every step on a forward-only encoder, so the model can be stepped token by token
    /// (not with word features: a step is a token id only).
    /// </summary>
    [JsonIgnore] public bool IsSteppable => Head.Pooling == Poolings.None && IsForwardOnly && Head.Kind != HeadKinds.AttentionDecoder
        && Input.Affixes is null && Input.Characters is null;

    public string ToJson() => JsonSerializer.Serialize(this, RuntimeJsonContext.Default.ModelDescription);

    public static ModelDescription FromJson(string json, string source)
    {
        ModelDescription? description;
        try
        {
            description = JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.ModelDescription);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: the model description is not valid ({e.Message})");
        }
        if (description is null) throw new ModelFormatException($"{source}: the model description is null");
        description.Validate(source);
        return description;
    }

    /// <summary>Checks every field before anything is built from it; one-line messages naming the field.</summary>
    public void Validate(string source)
    {
        void Fail(string what) => DescriptionError.Throw(source, what);
        if (Input is null || Encoder is null || Head is null) DescriptionError.Throw(source, "input, encoder and head are required");
        if (Input!.Kind is not (InputKinds.Tokens or InputKinds.Vectors)) Fail($"input.kind '{Input.Kind}' is not one of tokens, vectors");
        if (Input.Size is <= 0 or > 1 << 16) Fail($"input.size must be 1..{1 << 16}, got {Input.Size}");
        if (Input.MaxSteps is <= 0) Fail($"input.max_steps must be > 0, got {Input.MaxSteps}");
        if (Input.Kind == InputKinds.Tokens)
        {
            if (Input.Tokenizer is null) Fail("token input needs input.tokenizer");
            if (Input.Mean is not null || Input.Std is not null) Fail("input.mean and input.std are for vector input");
            Input.Tokenizer!.Validate(source);
            if (Input.Affixes is not null && Input.Tokenizer.Kind != TokenizerKinds.Word) Fail("input.affixes needs a word tokenizer");
            Input.Affixes?.Validate(source);
            if (Input.Characters is not null && Input.Tokenizer.Kind != TokenizerKinds.Word) Fail("input.characters needs a word tokenizer");
            Input.Characters?.Validate(source);
        }
        else
        {
            if (Input.Tokenizer is not null) Fail("vector input has no tokenizer");
            if (Input.Affixes is not null) Fail("input.affixes is for token input");
            if (Input.Characters is not null) Fail("input.characters is for token input");
            if (Input.Mean is not null && Input.Mean.Length != Input.Size) Fail($"input.mean has {Input.Mean.Length} values; input.size is {Input.Size}");
            if (Input.Std is not null && Input.Std.Length != Input.Size) Fail($"input.std has {Input.Std.Length} values; input.size is {Input.Size}");
            if (Input.Std is not null && Array.Exists(Input.Std, s => !(float.IsFinite(s) && s > 0))) Fail("input.std must hold positive finite numbers");
            if (Input.Mean is not null && Array.Exists(Input.Mean, m => !float.IsFinite(m))) Fail("input.mean must hold finite numbers");
            Input.Series?.Validate(this, source);
        }
        if (Input.Kind == InputKinds.Tokens && Input.Series is not null) Fail("input.series is for vector input");
        if (Encoder!.Length is 0 or > 8) Fail($"encoder must list 1..8 layers, got {Encoder.Length}");
        for (int k = 0; k < Encoder.Length; k++)
        {
            if (Encoder[k] is null) Fail($"encoder[{k}] is null");
            if (Encoder[k].Hidden is <= 0 or > 1 << 14) Fail($"encoder[{k}].hidden must be 1..{1 << 14}, got {Encoder[k].Hidden}");
            if (Encoder[k].Reverse && Encoder[k].Bidirectional) Fail($"encoder[{k}] is both reverse and bidirectional; a layer is forward, reverse or bidirectional");
        }
        Head!.Validate(this, source);
    }
}

public sealed record InputDescription
{
    /// <summary>"tokens" (ids from <see cref="Tokenizer"/>, through an embedding) or "vectors" (floats, <see cref="Size"/> per step).</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>The embedding size (tokens) or the vector width (vectors): the first layer's input width.</summary>
    [JsonPropertyName("size")] public required int Size { get; init; }
    [JsonPropertyName("tokenizer")] public TokenizerDescription? Tokenizer { get; init; }
    /// <summary>Texts are cut to their first <c>max_steps</c> tokens before a whole-sequence run, as in training (absent: no cut).</summary>
    [JsonPropertyName("max_steps")] public int? MaxSteps { get; init; }
    /// <summary>Vector input only: each value is fed as (x − mean) / std; absent means no normalisation.</summary>
    [JsonPropertyName("mean")] public float[]? Mean { get; init; }
    [JsonPropertyName("std")] public float[]? Std { get; init; }
    /// <summary>Vector input built from a daily series by a named feature recipe: what makes the model a forecaster.</summary>
    [JsonPropertyName("series")] public SeriesDescription? Series { get; init; }
    /// <summary>Word tokens only: hashed prefix, suffix and shape embeddings of each word, summed and put after its embedding.</summary>
    [JsonPropertyName("affixes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AffixDescription? Affixes { get; init; }
    /// <summary>Word tokens only: a character BiLSTM over each word's spelling; its two final states go after the word's embedding and affixes.</summary>
    [JsonPropertyName("characters")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CharacterEncoderDescription? Characters { get; init; }
}

/// <summary>
/// A character BiLSTM per word (Lample et al. 2016): the word as written (case and digits kept) as code points of
/// <see cref="Vocabulary"/> (id 0 = U+FFFD, any character outside it), embedded in <see cref="Size"/> floats (tensor
/// <c>chars.embedding.weight</c>), read forward and backward by an LSTM of <see cref="Hidden"/> units (tensors
/// <c>chars.lstm.*_l0</c> and <c>*_l0_reverse</c>, PyTorch's names); the forward state after the last character and
/// the backward state after the first, [forward, backward], are the word's <see cref="OutputWidth"/> features.
/// </summary>
public sealed record CharacterEncoderDescription
{
    [JsonPropertyName("vocabulary")] public required string[] Vocabulary { get; init; }
    [JsonPropertyName("size")] public required int Size { get; init; }
    [JsonPropertyName("hidden")] public required int Hidden { get; init; }

    [JsonIgnore] public int OutputWidth => 2 * Hidden;

    public void Validate(string source)
    {
        void Fail(string what) => DescriptionError.Throw(source, what);
        if (Size is < 1 or > 1 << 10) Fail($"input.characters.size must be 1..{1 << 10}, got {Size}");
        if (Hidden is < 1 or > 1 << 10) Fail($"input.characters.hidden must be 1..{1 << 10}, got {Hidden}");
        if (Vocabulary is null || Vocabulary.Length < 2) Fail("input.characters.vocabulary must list at least 2 characters");
        CharTokenizer.FromVocabulary(Vocabulary, source + ": input.characters");
    }
}

/// <summary>
/// Character features of each word, so that a word outside the vocabulary still reads as what it looks like: its
/// prefixes of 1..<see cref="Prefixes"/> and suffixes of 1..<see cref="Suffixes"/> characters and (if
/// <see cref="Shape"/>) its character-class shape, each hashed to one of <see cref="Buckets"/> rows of a table of
/// <see cref="Size"/> floats (tensor <c>affixes.weight</c>); the rows are summed (<see cref="WordAffixes"/>).
/// </summary>
public sealed record AffixDescription
{
    [JsonPropertyName("buckets")] public required int Buckets { get; init; }
    [JsonPropertyName("size")] public required int Size { get; init; }
    [JsonPropertyName("prefixes")] public int Prefixes { get; init; }
    [JsonPropertyName("suffixes")] public int Suffixes { get; init; }
    [JsonPropertyName("shape")] public bool Shape { get; init; }

    /// <summary>Affix ids per word: one per prefix length, one per suffix length, one for the shape.</summary>
    [JsonIgnore] public int PerWord => Prefixes + Suffixes + (Shape ? 1 : 0);

    public void Validate(string source)
    {
        void Fail(string what) => DescriptionError.Throw(source, what);
        if (Buckets is < 1 or > 1 << 22) Fail($"input.affixes.buckets must be 1..{1 << 22}, got {Buckets}");
        if (Size is < 1 or > 1 << 12) Fail($"input.affixes.size must be 1..{1 << 12}, got {Size}");
        if (Prefixes is < 0 or > 8 || Suffixes is < 0 or > 8) Fail($"input.affixes.prefixes and suffixes must be 0..8, got {Prefixes} and {Suffixes}");
        if (PerWord == 0) Fail("input.affixes needs a prefix, a suffix or the shape");
    }
}

public sealed record TokenizerDescription
{
    /// <summary>"char" (one token per code point) or "word" (<see cref="WordTokenizer"/>).</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>One entry per token id. char: code points, id 0 = U+FFFD (unknown). word: id 0 = &lt;pad&gt;, id 1 = &lt;unk&gt;.</summary>
    [JsonPropertyName("vocabulary")] public required string[] Vocabulary { get; init; }
    /// <summary>Word tokenizer: text is lower-cased before it is split.</summary>
    [JsonPropertyName("lowercase")] public bool Lowercase { get; init; }
    /// <summary>Word tokenizer: absent (words and punctuation marks) or "whitespace" (pre-tokenized text: split at white space only).</summary>
    [JsonPropertyName("split")] public string? Split { get; init; }
    /// <summary>Word tokenizer: absent (digits kept) or "zero" (every digit read as 0).</summary>
    [JsonPropertyName("digits")] public string? Digits { get; init; }

    /// <summary>Word tokenizer: absent (one &lt;unk&gt;) or "shapes" (an unknown word becomes its spelling class's token, &lt;unk:cap-ly&gt;).</summary>
    [JsonPropertyName("unknown")] public string? Unknown { get; init; }

    public const string WhitespaceSplit = "whitespace";
    public const string ShapesUnknown = "shapes";
    public const string ZeroDigits = "zero";

    public void Validate(string source)
    {
        if (Kind is not (TokenizerKinds.Char or TokenizerKinds.Word))
            throw new ModelFormatException($"{source}: model description: tokenizer kind '{Kind}' is not one of char, word");
        if (Split is not (null or WhitespaceSplit) || Digits is not (null or ZeroDigits) || Unknown is not (null or ShapesUnknown)
            || (Kind == TokenizerKinds.Char && (Split ?? Digits ?? Unknown) is not null))
            throw new ModelFormatException($"{source}: model description: tokenizer split '{Split}' / digits '{Digits}': a word tokenizer takes split \"whitespace\", digits \"zero\" and unknown \"shapes\", or none of them");
        if (Vocabulary is null || Vocabulary.Length < 2)
            throw new ModelFormatException($"{source}: model description: the tokenizer's vocabulary must list at least 2 tokens");
        Create(source); // validates the entries
    }

    /// <summary>The tokenizer this describes (entries validated).</summary>
    public ITokenizer Create(string source) => Kind == TokenizerKinds.Word
        ? WordTokenizer.FromVocabulary(Vocabulary, Lowercase, source, Split == WhitespaceSplit, Digits == ZeroDigits, Unknown == ShapesUnknown)
        : CharTokenizer.FromVocabulary(Vocabulary, source);
}

public sealed record EncoderLayerDescription
{
    [JsonPropertyName("hidden")] public required int Hidden { get; init; }
    /// <summary>A forward and a reverse LSTM whose outputs are concatenated (PyTorch's bidirectional=True, tensors *_reverse).</summary>
    [JsonPropertyName("bidirectional")] public bool Bidirectional { get; init; }
    /// <summary>
    /// One LSTM that reads the steps last to first (ONNX direction="reverse"); its output at step t, stored at t, has
    /// read steps T−1..t. Its tensors have the reverse direction's names (*_reverse), so a reader that does not know
    /// the field finds the forward tensors missing instead of running it forward. Not written when false: files
    /// without reverse layers stay byte for byte as before.
    /// </summary>
    [JsonPropertyName("reverse")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Reverse { get; init; }

    [JsonIgnore] public int OutputWidth => Bidirectional ? 2 * Hidden : Hidden;
    [JsonIgnore] public int Directions => Bidirectional ? 2 : 1;

    /// <summary>One direction, first to last: the only kind whose state may carry from one run to the next.</summary>
    [JsonIgnore] public bool ForwardOnly => !Bidirectional && !Reverse;

    /// <summary>Whether direction <paramref name="direction"/> (0 or 1) reads the steps last to first: a bidirectional layer's second, a reverse layer's only one.</summary>
    public bool ReadsBackward(int direction) => direction == 1 || Reverse;

    /// <summary>Output columns [0, ForwardWidth) come from a forward walk, the rest from a reverse one (whose final state is at step 0).</summary>
    [JsonIgnore] public int ForwardWidth => Reverse ? 0 : Hidden;

    /// <summary>The layer's kind as <c>info</c> and messages show it: LSTM, reverse LSTM or BiLSTM.</summary>
    [JsonIgnore] public string Kind => Bidirectional ? "BiLSTM" : Reverse ? "reverse LSTM" : "LSTM";
}

public sealed record HeadDescription
{
    /// <summary>next-token, classify, tag, regress or attention-decoder (<see cref="HeadKinds"/>).</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>none (the head runs at every step), last, mean, max or attention (<see cref="Poolings"/>).</summary>
    [JsonPropertyName("pooling")] public string Pooling { get; init; } = Poolings.None;
    /// <summary>Rows of the output layer.</summary>
    [JsonPropertyName("size")] public required int Size { get; init; }
    /// <summary>classify/tag: the label of each output; regress: the name of each output (optional); attention-decoder: the output tokens.</summary>
    [JsonPropertyName("labels")] public string[] Labels { get; init; } = [];
    /// <summary>attention-decoder only: the decoder that turns the encoder's outputs into an output sequence.</summary>
    [JsonPropertyName("decoder")] public DecoderDescription? Decoder { get; init; }
    /// <summary>tag only: a linear-chain CRF over the outputs (transition scores learned), decoded by Viterbi instead of per-step argmax.</summary>
    [JsonPropertyName("crf")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Crf { get; init; }

    public void Validate(ModelDescription model, string source)
    {
        void Fail(string what) => DescriptionError.Throw(source, what);
        if (Kind is not (HeadKinds.NextToken or HeadKinds.Classify or HeadKinds.Tag or HeadKinds.Regress or HeadKinds.AttentionDecoder))
            Fail($"head.kind '{Kind}' is not one of next-token, classify, tag, regress, attention-decoder");
        if (Pooling is not (Poolings.None or Poolings.Last or Poolings.Mean or Poolings.Max or Poolings.Attention))
            Fail($"head.pooling '{Pooling}' is not one of none, last, mean, max, attention");
        if (Labels is null) DescriptionError.Throw(source, "head.labels must not be null");
        if (Size is <= 0 or > 1 << 20) Fail($"head.size must be 1..{1 << 20}, got {Size}");
        switch (Kind)
        {
            case HeadKinds.NextToken:
                if (model.Input.Kind != InputKinds.Tokens) Fail("a next-token head needs token input");
                if (Size != model.Input.Tokenizer!.Vocabulary.Length) Fail($"head.size {Size} must equal the vocabulary size {model.Input.Tokenizer.Vocabulary.Length}");
                if (Pooling != Poolings.None) Fail("a next-token head runs at every step (pooling none)");
                if (!model.IsForwardOnly) Fail("a next-token model cannot have a bidirectional or reverse layer (it would see the future)");
                break;
            case HeadKinds.Classify:
                if (Pooling == Poolings.None) Fail("a classify head needs a pooling: last, mean, max or attention");
                if (Labels.Length != Size || Size < 2) Fail($"a classify head needs one label per output (at least 2); head.size is {Size}, labels {Labels.Length}");
                break;
            case HeadKinds.Tag:
                if (Pooling != Poolings.None) Fail("a tag head runs at every step (pooling none)");
                if (Labels.Length != Size || Size < 2) Fail($"a tag head needs one label per output (at least 2); head.size is {Size}, labels {Labels.Length}");
                break;
            case HeadKinds.Regress:
                if (Labels.Length is not 0 && Labels.Length != Size) Fail($"head.labels names {Labels.Length} outputs; head.size is {Size}");
                break;
            case HeadKinds.AttentionDecoder:
                if (model.Input.Kind != InputKinds.Tokens) Fail("an attention-decoder reads token input");
                if (Pooling != Poolings.None) Fail("an attention-decoder head has pooling none");
                if (Decoder is null) Fail("an attention-decoder head needs head.decoder");
                if (Labels.Length != Size || Size < 4) Fail($"an attention-decoder head needs one output token per output (at least 4); head.size is {Size}, labels {Labels.Length}");
                if (Labels.Length >= 3 && (Labels[DecoderDescription.PadId], Labels[DecoderDescription.StartId], Labels[DecoderDescription.EndId]) != ("<pad>", "<s>", "</s>"))
                    Fail("an attention-decoder's first three output tokens must be <pad>, <s>, </s>");
                if (Decoder!.Embedding is <= 0 or > 1 << 14 || Decoder.Hidden is <= 0 or > 1 << 14) Fail("head.decoder.embedding and hidden must be 1..16384");
                if (Decoder.Attention != AttentionKinds.General) Fail($"head.decoder.attention '{Decoder.Attention}' is not one of general");
                if (Decoder.MaxSteps is <= 0 or > 4096) Fail($"head.decoder.max_steps must be 1..4096, got {Decoder.MaxSteps}");
                break;
        }
        if (Array.Exists(Labels, l => l is null)) Fail("head.labels has a null entry");
        if (Decoder is not null && Kind != HeadKinds.AttentionDecoder) Fail("head.decoder is for attention-decoder heads");
        if (Crf && Kind != HeadKinds.Tag) Fail("head.crf is for tag heads");
        if (model.Input.Affixes is not null && Kind is HeadKinds.NextToken or HeadKinds.AttentionDecoder)
            Fail("input.affixes is for classify, tag and regress heads (models run a whole sequence at once)");
        if (model.Input.Characters is not null && Kind is HeadKinds.NextToken or HeadKinds.AttentionDecoder)
            Fail("input.characters is for classify, tag and regress heads (models run a whole sequence at once)");
    }
}

public static class InputKinds
{
    public const string Tokens = "tokens";
    public const string Vectors = "vectors";
}

public static class TokenizerKinds
{
    public const string Char = "char";
    public const string Word = "word";
}

public static class HeadKinds
{
    public const string NextToken = "next-token";
    public const string Classify = "classify";
    public const string Tag = "tag";
    public const string Regress = "regress";
    public const string AttentionDecoder = "attention-decoder";
}

public static class Poolings
{
    public const string None = "none";
    public const string Last = "last";
    public const string Mean = "mean";
    public const string Max = "max";
    public const string Attention = "attention";
}

/// <summary>Task names shown to users (derived from the description, <see cref="ModelDescription.Task"/>).</summary>
public static class Tasks
{
    public const string CharLm = "char-lm";
    public const string WordLm = "word-lm";
    public const string Sequence = "sequence";
    public const string Forecast = "forecast";
    public const string Classify = "classify";
    public const string Seq2Seq = "seq2seq";
}

internal static class DescriptionError
{
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Throw(string source, string what) => throw new ModelFormatException($"{source}: model description: {what}");
}
