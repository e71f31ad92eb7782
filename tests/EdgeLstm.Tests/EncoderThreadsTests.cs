namespace EdgeLstm.Tests;

/// <summary>threads = 0 (auto): a second core only for models whose layer steps are large enough to gain from it.</summary>
public sealed class EncoderThreadsTests
{
    [Fact]
    public void AutoTakesTwoCoresForBidirectionalModelsAndLargeForwardLayersAndKeepsOneAndTwoAsGiven()
    {
        using var births = (QuantizedLstmModel)CompactModelLoader.Load(Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.elstm"));
        using var tagger = (QuantizedLstmModel)CompactModelLoader.Load(Arm64BitIdentityTests.RepoPath("runtime", "models", "songci-punctuation.elstm"));
        // births: one layer of 64 over 26 inputs, 4·64·90 multiply-adds a step; the tagger's second layer 4·128·(256 + 128).
        Assert.Equal(4L * 64 * (26 + 64), EncoderThreads.LargestLayerStep(births.Description));
        Assert.Equal(4L * 128 * (256 + 128), EncoderThreads.LargestLayerStep(tagger.Description));
        int two = Environment.ProcessorCount >= 2 ? 2 : 1;
        using (var session = births.CreateSession(LstmKernels.For(births), EncoderThreads.Auto)) Assert.Equal(1, session.Threads);
        using (var runner = tagger.CreateRunner(LstmKernels.For(tagger), EncoderThreads.Auto)) Assert.Equal(two, runner.Threads);
        // A small forward-only model stays on one core; a small bidirectional one splits its directions.
        var smallForward = births.Description with { Encoder = [births.Description.Encoder[0] with { Hidden = 127 }] };
        Assert.Equal(1, EncoderThreads.Resolve(smallForward, EncoderThreads.Auto));
        Assert.Equal(two, EncoderThreads.Resolve(smallForward with { Encoder = [smallForward.Encoder[0] with { Bidirectional = true }] }, EncoderThreads.Auto));
        var hidden128 = births.Description with { Encoder = [births.Description.Encoder[0] with { Hidden = 128 }], Input = births.Description.Input with { Size = 128 } };
        Assert.Equal(two, EncoderThreads.Resolve(hidden128, EncoderThreads.Auto));
        using (var runner = tagger.CreateRunner(LstmKernels.For(tagger), 1)) Assert.Equal(1, runner.Threads);
        using (var session = births.CreateSession(LstmKernels.For(births), 2)) Assert.Equal(2, session.Threads); // 2 still means two
        Assert.Throws<ArgumentOutOfRangeException>(() => births.CreateSession(LstmKernels.For(births), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => births.CreateSession(LstmKernels.For(births), -1));
    }
}
