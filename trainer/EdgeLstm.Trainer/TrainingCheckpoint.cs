using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeLstm.Trainer;

/// <summary>
/// What `--resume` needs, kept in the checkpoint directory after every completed epoch by <see cref="EpochLoop"/>:
/// the weights (last.safetensors), the best epoch's weights (best.safetensors), Adam's moments (optimizer.bin),
/// libtorch's random generator state (rng.bin, so dropout continues as in an unbroken run) and whatever trains beside
/// the network, all in the epoch's own subdirectory (epoch-0005), then this progress record (progress.json) naming it.
/// A run killed while writing a set leaves the previous record pointing at the previous, complete set: files of two
/// epochs are never mixed. Checkpoints written before (files beside the record, no <see cref="Files"/>) still resume.
/// </summary>
/// <param name="BestValidScore">The best validation score so far, lower is better (bits per character or word, WER %, minus an accuracy).
/// Stored under its first name, BestValidBitsPerChar, so checkpoints written before still resume.</param>
/// <param name="BestTieBreak">Breaks ties between equal scores, lower is better (0 where unused).</param>
/// <param name="GlobalBatchSize">Rows of one step over all ranks (--distributed), so a run on another number of ranks resumes
/// with the same steps; 0 where not recorded (checkpoints written before, trainers that do not say).</param>
/// <param name="Files">The subdirectory holding this checkpoint's files; null for checkpoints written before, whose files lie beside the record.</param>
public sealed record TrainingCheckpoint(int EpochsDone, [property: JsonPropertyName("BestValidBitsPerChar")] double BestValidScore,
    int EpochsWithoutImprovement, double BestTieBreak = 0, int GlobalBatchSize = 0, string? Files = null)
{
    /// <summary>The directory of this checkpoint's files inside <paramref name="directory"/>.</summary>
    public string FilesIn(string directory) => Files is null ? directory : Path.Combine(directory, Files);

    /// <summary>The subdirectory name for the files of the checkpoint after <paramref name="epoch"/>.</summary>
    public static string FilesName(int epoch) => $"epoch-{epoch:D4}";

    /// <summary>Each of <paramref name="ranks"/> ranks' share of the recorded global batch; null when none was recorded.</summary>
    public int? PerRankBatch(int ranks)
    {
        if (GlobalBatchSize == 0) return null;
        if (GlobalBatchSize % ranks != 0)
            throw new ArgumentException($"--resume: the checkpoint's global batch of {GlobalBatchSize} does not divide over {ranks} ranks; resume on a number of ranks that divides it");
        return GlobalBatchSize / ranks;
    }

    public const string WeightsFile = "last.safetensors";
    public const string BestWeightsFile = "best.safetensors";
    public const string OptimizerFile = "optimizer.bin";
    public const string ProgressFile = "progress.json";
    public const string RandomStateFile = "rng.bin";

    /// <summary>Held while a checkpoint's files are written, so a process ended by a signal can wait for a complete set (<see cref="RankFailure"/>).</summary>
    public static readonly object WriteLock = new();

    public void Save(string directory)
    {
        string path = Path.Combine(directory, ProgressFile);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static TrainingCheckpoint Load(string directory)
    {
        string path = Path.Combine(directory, ProgressFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no checkpoint to resume from", path);
        try
        {
            return JsonSerializer.Deserialize<TrainingCheckpoint>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path}: empty checkpoint record");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a checkpoint record ({e.Message})");
        }
    }
}
