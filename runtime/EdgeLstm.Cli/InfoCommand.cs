using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Cli;

/// <summary>`edgelstm info`: what a model is (format, task, architecture, parameters, size, vocabulary, training record).</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var command = new Command("info", "Show a model's format, task, architecture, parameter count and file size") { model };
        command.SetAction(result => UserErrors.Run(() =>
        {
            using var loaded = ModelSource.Load(result.GetValue(model));
            Console.WriteLine($"model:        {loaded.Name}");
            Console.WriteLine($"format:       {loaded.Format}");
            Console.WriteLine($"file size:    {loaded.Bytes:N0} bytes");
            Describe(loaded.Model.Description);
            switch (loaded.Model)
            {
                case FloatLstmModel f:
                    Console.WriteLine($"parameters:   {f.ParameterCount:N0}");
                    foreach (var (key, value) in f.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                        if (key.StartsWith("edgelstm.trainer.", StringComparison.Ordinal) || key.StartsWith("edgelstm.calibration.", StringComparison.Ordinal))
                            Console.WriteLine($"{key["edgelstm.".Length..]}: {value}");
                    break;
                case QuantizedLstmModel q:
                    // Stored parameters: each LSTM direction keeps b_ih + b_hh as one fused bias.
                    long parameters = 0;
                    foreach (TensorSpec spec in ModelTensors.Of(q.Description, fusedBiases: true))
                        parameters += spec.Shape.Aggregate(1L, (a, b) => a * b);
                    Console.WriteLine($"parameters:   {parameters:N0}");
                    // Each matrix's storage (int4 is chosen per tensor) and its share of zero weights.
                    foreach (var (name, matrix) in q.PrunableMatrices())
                        Console.WriteLine($"sparsity:     {name} {100 * matrix.Sparsity:F1}%{(matrix.IsInt4 ? " (int4)" : "")}");
                    break;
            }
            if (loaded.CompactFile is { } file)
                Console.WriteLine($"producer:     {file.Metadata.Producer} {file.Metadata.ProducerVersion} from {file.Metadata.Source}");
            Console.WriteLine($"kernels:      {(loaded.Model is QuantizedLstmModel q8 ? LstmKernels.For(q8) : LstmKernels.Default).Name}");
            var notHere = LstmKernels.NotRunHere().Select(k => $"{k.Name} (needs {k.Requires})").ToList();
            if (notHere.Count > 0) Console.WriteLine($"not run here: {string.Join(", ", notHere)}");
            if (InstructionSetCheck.Limitation() is { } limitation) Console.WriteLine($"warning:      {limitation}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Describe(ModelDescription d)
    {
        Console.WriteLine($"task:         {d.Task}");
        string input = d.Input.Kind == InputKinds.Tokens
            ? $"{d.Input.Tokenizer!.Kind} tokens → embedding {d.Input.Tokenizer.Vocabulary.Length}×{d.Input.Size}"
            : $"input vectors of {d.Input.Size}{(d.Input.Mean is null && d.Input.Std is null ? "" : " (normalised)")}";
        var parts = new List<string> { input };
        for (int k = 0; k < d.Encoder.Length; k++)
            parts.Add($"{d.Encoder[k].Kind} {d.LayerInputWidth(k)}→{d.Encoder[k].OutputWidth}");
        if (d.Head.Pooling != Poolings.None) parts.Add($"{d.Head.Pooling} pooling");
        if (d.Head.Decoder is { } decoder)
            parts.Add($"attention decoder (embedding {d.Head.Size}×{decoder.Embedding}, LSTM {decoder.Embedding}→{decoder.Hidden}, {decoder.Attention} attention, at most {decoder.MaxSteps} steps) → linear {decoder.Hidden}→{d.Head.Size}");
        else parts.Add($"linear {d.EncoderWidth}→{d.Head.Size}{(d.Head.Pooling == Poolings.None ? " at every step" : "")}");
        if (d.Head.Crf) parts.Add($"CRF ({d.Head.Size}×{d.Head.Size} transitions, Viterbi)");
        Console.WriteLine($"architecture: {string.Join(" → ", parts)}");
        if (d.Input.Tokenizer is { } tokenizer)
            Console.WriteLine($"vocabulary:   {tokenizer.Vocabulary.Length} tokens ({(tokenizer.Kind == TokenizerKinds.Char ? "code points; id 0 = unknown" : $"words{(tokenizer.Split == TokenizerDescription.WhitespaceSplit ? " split at white space" : "")}{(tokenizer.Lowercase ? ", lower-cased" : "")}{(tokenizer.Digits == TokenizerDescription.ZeroDigits ? ", digits as 0" : "")}{(tokenizer.Unknown == TokenizerDescription.ShapesUnknown ? ", unknown words by spelling class" : "")}; 0 = <pad>, 1 = <unk>")})");
        if (d.Input.Affixes is { } affixes)
            Console.WriteLine($"affixes:      prefixes 1-{affixes.Prefixes}, suffixes 1-{affixes.Suffixes}{(affixes.Shape ? ", shape" : "")} of each word, hashed to {affixes.Buckets:N0} rows of {affixes.Size}, summed after its embedding");
        if (d.Input.Series is { } series)
            Console.WriteLine($"forecast:     {series.Strategy}, {series.Horizon} days ahead from {series.History} days read; values scaled by the mean of the last {series.LevelWindow} days; features {series.Recipe} ({string.Join(", ", series.Features)})");
        if (d.Input.MaxSteps is int max) Console.WriteLine($"max steps:    {max} (longer texts are cut, as in training)");
        switch (d.Kind)
        {
            case ModelTask.Transducer:
                Console.WriteLine($"outputs:      {string.Join(" ", d.Head.Labels)}");
                break;
            case ModelTask.Classifier or ModelTask.Tagger:
                Console.WriteLine($"labels:       {string.Join(", ", d.Head.Labels)}");
                break;
            case ModelTask.Regressor or ModelTask.Forecaster:
                Console.WriteLine($"outputs:      {d.Head.Size} floats{(d.Head.Pooling == Poolings.None ? " per step" : "")}{(d.Head.Labels.Length > 0 ? $" ({string.Join(", ", d.Head.Labels)})" : "")}");
                break;
        }
    }
}
