namespace EdgeLstm.Tests;

/// <summary>ModelFileReader.Read memory-maps the file; a mapped model must behave exactly like one parsed from bytes.</summary>
public sealed class ModelFileMappingTests
{
    [Fact]
    public void MappedModelStepsBitIdenticallyToTheSameBytesParsed()
    {
        string path = Arm64BitIdentityTests.RepoPath("runtime", "models", "moby-dick-char.elstm");
        var mapped = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Read(path));
        var parsed = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(File.ReadAllBytes(path), "copy"));
        var a = mapped.CreateSession();
        var b = parsed.CreateSession();
        for (int t = 0; t < 100; t++)
        {
            int token = 1 + t * 7 % (mapped.OutputSize - 1);
            Assert.True(a.Step(token).SequenceEqual(b.Step(token)), $"step {t} differs");
        }
    }

    [Fact]
    public void ACorruptFileOnDiskIsRejectedThroughTheMapping()
    {
        using var dir = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(Arm64BitIdentityTests.RepoPath("runtime", "models", "moby-dick-char.elstm"));
        bytes[^100] ^= 0x40; // inside the tensor data: its section checksum must catch it
        string path = dir.File("corrupt.elstm");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFormatException>(() => ModelFileReader.Read(path));
        Assert.Contains("checksum mismatch", e.Message);
        File.WriteAllBytes(path, bytes[..10]);
        e = Assert.Throws<ModelFormatException>(() => ModelFileReader.Read(path));
        Assert.Contains("shorter than", e.Message);
    }
}
