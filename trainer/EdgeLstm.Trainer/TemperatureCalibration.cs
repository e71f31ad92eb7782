namespace EdgeLstm.Trainer;

/// <summary>
/// Softmax temperature fitted on validation text and folded into the output layer. A network trained with
/// dropout and early stopping is usually over- or under-confident; dividing its logits by one scalar T that
/// minimises validation bits/char fixes most of that. Because logits = fc.weight·h + fc.bias, dividing both by
/// T is exact, so the runtime, the converter and the file format do not change. Fit on validation only: the
/// test text must stay unseen.
/// </summary>
public static class TemperatureCalibration
{
    /// <summary>The temperature folded into the weights so far (a product if calibrated more than once).</summary>
    public const string TemperatureKey = "edgelstm.calibration.temperature";
    public const string ValidBeforeKey = "edgelstm.calibration.valid_bits_per_char_before";
    public const string ValidAfterKey = "edgelstm.calibration.valid_bits_per_char";
    public const string ValidFileKey = "edgelstm.calibration.valid_file";

    public sealed record Result(double Temperature, double ValidBitsPerCharBefore, double ValidBitsPerCharAfter);

    /// <summary>Fits T on <paramref name="validPath"/> and writes the model with fc.weight and fc.bias divided by T.</summary>
    public static Result CalibrateFile(string modelPath, string validPath, string outputPath)
    {
        var file = SafeTensorsReader.Read(modelPath);
        if (!File.Exists(validPath)) throw new FileNotFoundException($"{validPath}: no such file", validPath);
        using (var network = TaskNetworks.Load<LanguageModelNetwork>(modelPath))
        {
            var tokenizer = network.Description.Input.Tokenizer!.Create(modelPath);
            int[] tokens = tokenizer.Encode(File.ReadAllText(validPath));
            if (tokens.Length < 2) throw new ArgumentException($"{validPath}: the text must have at least two characters to score");
            var result = Fit(network, tokens);
            network.ScaleLogits(1 / result.Temperature);

            var metadata = new Dictionary<string, string>(file.Metadata);
            double earlier = 1.0;
            if (file.Metadata.TryGetValue(TemperatureKey, out var text)
                && !(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out earlier) && earlier > 0 && double.IsFinite(earlier)))
                throw new ModelFormatException($"{modelPath}: metadata {TemperatureKey} is '{text}', expected a positive number");
            metadata[TemperatureKey] = (earlier * result.Temperature).ToString("R", CultureInfo.InvariantCulture);
            metadata[ValidBeforeKey] = result.ValidBitsPerCharBefore.ToString("F6", CultureInfo.InvariantCulture);
            metadata[ValidAfterKey] = result.ValidBitsPerCharAfter.ToString("F6", CultureInfo.InvariantCulture);
            metadata[ValidFileKey] = Path.GetFileName(validPath);
            TaskNetworks.Save(outputPath, network, metadata);
            return result;
        }
    }

    /// <summary>
    /// The T that minimises bits/char of <paramref name="tokens"/> (scored as `edgelstm eval` does). The loss is
    /// convex in 1/T (log-sum-exp of a linear function), so a golden-section search on 1/T finds the one minimum.
    /// </summary>
    public static Result Fit(LanguageModelNetwork network, int[] tokens) => CharLmEvaluator.Score(network, tokens, (logits, target) =>
    {
        var flat = logits.to_type(ScalarType.Float64);
        double BitsPerChar(double inverseT)
        {
            using var scope = NewDisposeScope();
            return nn.functional.cross_entropy(flat * inverseT, target).item<double>() / Math.Log(2);
        }

        double lo = 0.2, hi = 5.0;
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
        double fa = BitsPerChar(a), fb = BitsPerChar(b);
        while (hi - lo > 1e-5)
        {
            if (fa < fb) { hi = b; b = a; fb = fa; a = hi - ratio * (hi - lo); fa = BitsPerChar(a); }
            else { lo = a; a = b; fa = fb; b = lo + ratio * (hi - lo); fb = BitsPerChar(b); }
        }
        double inverse = (lo + hi) / 2;
        double before = BitsPerChar(1.0), after = BitsPerChar(inverse);
        // Never hand back something worse than leaving the model alone.
        return after < before ? new Result(1 / inverse, before, after) : new Result(1.0, before, before);
    });
}
