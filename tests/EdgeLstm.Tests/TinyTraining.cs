namespace EdgeLstm.Tests;

/// <summary>A character LM trained in seconds: English-like train.txt (4,000 characters) and valid.txt in a temporary directory.</summary>
internal static class TinyTraining
{
    /// <summary>Writes the two texts (valid: <paramref name="validChars"/> characters, then <paramref name="validSuffix"/>) and options for a 2 × 32 LSTM, two short epochs, one thread.</summary>
    public static TrainOptions Options(TempDirectory dir, string output, int validChars = 600, string validSuffix = "")
    {
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(4000, seed: 1));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(validChars, seed: 2) + validSuffix);
        return new TrainOptions
        {
            TrainFile = dir.File("train.txt"), ValidFile = dir.File("valid.txt"), Output = dir.File(output),
            EmbeddingDim = 16, HiddenSize = 32, Layers = 2, Dropout = 0.0, BatchSize = 4, SeqLen = 32,
            Epochs = 2, MaxBatchesPerEpoch = 8, Threads = 1, Quiet = true,
        };
    }
}
