namespace EdgeLstm.Data;

/// <summary>A corpus cut into the three texts a language model is trained, tuned and scored on.</summary>
public sealed record CorpusSplits(string Train, string Validation, string Test)
{
    /// <summary>Writes train.txt, valid.txt and test.txt (UTF-8, no BOM) into <paramref name="directory"/>.</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "train.txt"), Train);
        AtomicFile.WriteAllText(Path.Combine(directory, "valid.txt"), Validation);
        AtomicFile.WriteAllText(Path.Combine(directory, "test.txt"), Test);
    }
}
