namespace EdgeLstm.Tests;

public sealed class PruneFineTuneTests
{
    [Fact]
    public void FineTuningKeepsTheBlockPatternThatTheConverterFindsAgain()
    {
        TorchFixture.Init(seed: 13);
        using var dir = new TempDirectory();
        TrainOptions Options(string output) => TinyTraining.Options(dir, output);
        new CharLmTrainer(Options("dense.safetensors")).Run(CancellationToken.None);
        var tuned = new CharLmTrainer(Options("pruned.safetensors") with { InitFrom = dir.File("dense.safetensors"), Prune = PruneSpec.Parse("block:0.5") })
            .Run(CancellationToken.None);
        Assert.False(tuned.Interrupted);

        var model = FloatLstmModel.Load(dir.File("pruned.safetensors"));
        foreach (var m in PrunableMatrices.Of(model))
        {
            int zeroBlocks = 0;
            for (int b = 0; b < m.Values.Length / 16; b++)
                if (m.Values.AsSpan(b * 16, 16).IndexOfAnyExcept(0f) < 0) zeroBlocks++;
            Assert.True(zeroBlocks >= (int)(0.5 * (m.Values.Length / 16)), $"{m.Name}: {zeroBlocks} of {m.Values.Length / 16} blocks are zero after fine-tuning");
        }
        // The converter's block:0.5 mask on the fine-tuned weights removes nothing that is not already zero.
        var again = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
        int[] tokens = TinyModels.Tokens(100, model.OutputSize, seed: 5);
        Assert.Equal(TinyModels.Run(model, tokens), TinyModels.Run(again, tokens));
    }
}
