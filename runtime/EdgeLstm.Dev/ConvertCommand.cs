using EdgeLstm.Converter;

namespace EdgeLstm.Cli;

/// <summary>`edgelstm convert`: prune and quantize a float model, and report what it cost.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "Float model: safetensors (PyTorch nn.LSTM names) or ONNX (.onnx, e.g. from torch.onnx.export; with --description)" };
        var description = new Option<FileInfo?>("--description") { Description = "ONNX input: the model description JSON (vocabulary, head kind and labels; docs/onnx.md), checked against the graph" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Output: .elstm (compact format) or .safetensors (pruned float model, for fine-tuning)", Required = true };
        var dtype = new Option<string>("--dtype")
        {
            Description = "Weight type: int8; int4 (the matrices the kernels multiply in 4 bits, groups of 32 columns with 6-bit multipliers " +
                "under a float per row; embeddings and matrices whose columns 32 does not divide stay int8); or f32",
            DefaultValueFactory = _ => "int8",
        };
        var int8Tensor = new Option<string[]>("--int8-tensor")
        {
            Description = "With --dtype int4: keep this matrix int8 (repeat for more; e.g. fc.weight)",
            AllowMultipleArgumentsPerToken = false,
        };
        var weightBits = new Option<string>("--weight-bits")
        {
            Description = "int8: 8; 7 (the multiplied matrices keep |q| ≤ 63, recorded in the file: faster on AVX-512BW CPUs without AVX-VNNI); " +
                "or auto: with --valid, 7 where it costs no more than the task's tolerance (0.005 bits/char, 0.2 points, 0.5% MAE…), else 8",
            DefaultValueFactory = _ => "auto",
        };
        var prune = new Option<string>("--prune") { Description = "magnitude:F, magnitude:F:global, block:F (1×16 blocks), block:F:row (the same number of blocks from every row: fastest sparse kernels) or units:F; F = fraction removed", DefaultValueFactory = _ => "none" };
        var valid = new Option<FileInfo?>("--valid") { Description = "Validation data: text (language models: bits/char), labelled texts (classifiers: accuracy) or a daily series CSV (forecasters: MAE), scored with the float input and the output" };
        var validFold = new Option<string?>("--valid-fold") { Description = "Classifiers: score only this fold of --valid (its fold column); forecasters: the split scored (default valid)" };
        var evalChars = new Option<int>("--eval-chars") { Description = "Characters of --valid to score (0 = all)", DefaultValueFactory = _ => 20_000 };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite the output if it exists" };
        var calib = new Option<FileInfo?>("--calib") { Description = "Calibration text: fixed per-layer activation scales measured on it (default: dynamic scales every step)" };
        var ignore = new Option<string[]>("--ignore-tensor")
        {
            Description = "A tensor of the input that the model does not use and that is known to be harmless (repeat for more); other unused tensors are an error",
            AllowMultipleArgumentsPerToken = false,
        };
        var maxLoss = new Option<double?>("--max-loss") { Description = "Try every variant (f32, int8 with 8- and 7-bit weights, int4, static scales with --calib, magnitude, block and unit pruning) on --valid and write the smallest (or fastest) whose loss in the task's metric is at most this" };
        var objective = new Option<string>("--objective") { Description = "With --max-loss: size (smallest file) or latency (fastest on this machine)", DefaultValueFactory = _ => "size" };
        var command = new Command("convert", "Prune and quantize a float model (safetensors or ONNX) into the compact .elstm format, reporting size and accuracy")
        {
            input, output, description, dtype, int8Tensor, weightBits, prune, valid, validFold, evalChars, force, calib, ignore, maxLoss, objective,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            string weights = result.GetValue(dtype)!;
            if (weights is not ("int8" or "int4" or "f32")) throw new ArgumentException($"--dtype must be int8, int4 or f32, got '{weights}'");
            string[] keptInt8 = result.GetValue(int8Tensor) ?? [];
            if (keptInt8.Length > 0 && weights != "int4") throw new ArgumentException("--int8-tensor goes with --dtype int4");
            int? bits = result.GetValue(weightBits) switch
            {
                "auto" => null,
                "8" when weights == "int4" => null, // int4 files keep their int8 matrices at 8 bits
                "8" => 8,
                "7" when weights == "int8" => 7,
                var other => throw new ArgumentException($"--weight-bits must be auto, 8, or 7 with --dtype int8; got '{other}'"),
            };
            int chars = result.GetValue(evalChars);
            if (chars < 0) throw new ArgumentException($"--eval-chars must be ≥ 0, got {chars}");
            var options = new ConvertOptions
            {
                Input = result.GetValue(input)!.FullName,
                Output = result.GetValue(output)!.FullName,
                Description = result.GetValue(description)?.FullName,
                Weights = weights switch { "f32" => WeightType.F32, "int4" => WeightType.Int4, _ => WeightType.Int8 },
                Int8Tensors = keptInt8,
                WeightBits = bits,
                Prune = PruneSpec.Parse(result.GetValue(prune)),
                ValidText = result.GetValue(valid)?.FullName,
                ValidFold = result.GetValue(validFold),
                EvalChars = chars,
                Force = result.GetValue(force),
                CalibText = result.GetValue(calib)?.FullName,
                IgnoredTensors = result.GetValue(ignore) ?? [],
            };
            if (result.GetValue(maxLoss) is { } loss)
            {
                if (options.Prune.Method != PruneMethod.None || result.GetResult(dtype) is { Implicit: false })
                    throw new ArgumentException("--max-loss tries every weight type and pruning itself; drop --dtype and --prune");
                Objective goal = result.GetValue(objective) switch
                {
                    "size" => Objective.Size,
                    "latency" => Objective.Latency,
                    var other => throw new ArgumentException($"--objective must be size or latency, got '{other}'"),
                };
                var search = VariantSearch.Run(options, loss, goal, Console.IsErrorRedirected ? null : line => Console.Error.Write($"\r\e[K{line}…"));
                if (!Console.IsErrorRedirected) Console.Error.Write("\r\e[K");
                Console.Write(search);
                if (search.Chosen is null)
                {
                    var closest = search.Variants.Where(v => !double.IsNaN(v.Loss)).MinBy(v => v.Loss)!;
                    throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"--max-loss {loss:G4}: no variant is within it (the closest, {closest.Name}, loses {closest.Loss:F4}); nothing written"));
                }
                return ExitCodes.Success;
            }
            Console.Write(ModelConverter.Convert(options));
            return ExitCodes.Success;
        }));
        return command;
    }
}
