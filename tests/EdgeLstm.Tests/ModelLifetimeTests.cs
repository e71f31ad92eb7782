namespace EdgeLstm.Tests;

/// <summary>
/// What a model holds is released when it is disposed: a memory-mapped .elstm file is unmapped once the model
/// and every session on it are disposed (sessions may outlive the model), and a disposed session refuses to step
/// rather than hang or read unmapped memory. The mappings are counted in /proc/self/maps.
/// </summary>
public sealed class ModelLifetimeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _path;

    public ModelLifetimeTests()
    {
        // A file of this test's own, so no other test's mapping of a shared model is counted.
        _path = _dir.File("lifetime.elstm");
        File.Copy(Arm64BitIdentityTests.RepoPath("runtime", "models", "moby-dick-char-block50.elstm"), _path);
    }

    public void Dispose() => _dir.Dispose();

    private int Mappings() => File.ReadLines("/proc/self/maps").Count(line => line.EndsWith(_path, StringComparison.Ordinal));

    [Fact]
    public void DisposingTheModelUnmapsItsFile()
    {
        var model = ModelLoader.Load(_path);
        Assert.Equal(1, Mappings());
        model.Dispose();
        Assert.Equal(0, Mappings());
        model.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => model.CreateSession());
    }

    [Fact]
    public void ASessionKeepsTheFileMappedAfterItsModelIsDisposed()
    {
        var model = (QuantizedLstmModel)ModelLoader.Load(_path);
        using var one = model.CreateSession();
        var two = model.CreateSession(LstmKernels.Default, threads: 2);
        float[] before = one.Step(5).ToArray();
        one.Reset();
        model.Dispose();
        Assert.Equal(1, Mappings());
        Assert.True(one.Step(5).SequenceEqual(before), "a session of a disposed model steps differently");
        Assert.True(two.Step(5).SequenceEqual(before), "a two-thread session of a disposed model steps differently");
        two.Dispose();
        Assert.Equal(1, Mappings()); // the other session still holds it
        // A disposed two-thread session has no helper any more: an error, not a hang.
        Assert.Throws<ObjectDisposedException>(() => two.Step(5));
        one.Dispose();
        Assert.Equal(0, Mappings());
        Assert.Throws<ObjectDisposedException>(() => one.Step(5)); // the weights are gone: an error, not a fault
    }

    [Fact]
    public void AFloatElstmModelIsCopiedAndItsFileReleasedAtLoad()
    {
        var model = TinyModels.Create(layers: 1, hidden: 16, embedding: 8, seed: 3);
        string path = _dir.File("float.elstm");
        File.WriteAllBytes(path, CompactModelBuilder.Build(model, WeightType.F32, blockSparse: false, "none", "test"));
        using var loaded = ModelLoader.Load(path);
        Assert.Equal(0, File.ReadLines("/proc/self/maps").Count(line => line.EndsWith(path, StringComparison.Ordinal)));
        Assert.Equal(model.OutputSize, loaded.CreateSession().Step(1).Length);
    }

    [Fact]
    public void ABatchHoldsTheFileLikeASession()
    {
        var model = (QuantizedLstmModel)ModelLoader.Load(_path);
        var batch = new QuantizedLstmBatch(model, LstmKernels.Default, 2);
        model.Dispose();
        batch.Step([1, 2]);
        Assert.Equal(1, Mappings());
        batch.Dispose();
        Assert.Equal(0, Mappings());
    }
}
