using Xunit;

namespace EdgeLstm.Tests;

/// <summary>The language GAN's parts: the prefix discriminator on a toy set, and `edgelstm-train gan` through its CLI.</summary>
public sealed class GanTrainerTests
{
    /// <summary>
    /// Real texts alternate two letters ("abab…", "baba…"); fakes are the same letters shuffled. After training, the
    /// discriminator tells whole held-out texts apart, while a one-letter prefix — the same in both — stays near 0.5:
    /// each prefix is judged on what it shows.
    /// </summary>
    [Fact]
    public void ThePrefixDiscriminatorSeparatesRealFromShuffledTextsOnWhatEachPrefixShows()
    {
        var tokenizer = CharTokenizer.FromText("ab", 1);
        TorchFixture.Init(7);
        using var network = TaskNetworks.Create<ClassifierNetwork>(PrefixDiscriminator.Describe(tokenizer, embeddingDim: 8, hidden: 16), dropout: 0);
        var random = new Random(5);
        Tensor Texts(int count, bool real)
        {
            var data = new long[count * 10];
            for (int i = 0; i < count; i++)
            {
                char[] text = (random.Next(2) == 0 ? "ababababab" : "bababababa").ToCharArray();
                if (!real) random.Shuffle(text);
                for (int t = 0; t < 10; t++) data[i * 10 + t] = tokenizer.Encode(text[t].ToString())[0];
            }
            return tensor(data, [count, 10]);
        }
        var optimizer = optim.Adam(network.parameters(), lr: 1e-2);
        network.train();
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            PrefixDiscriminator.Loss(network, Texts(32, real: true), Texts(32, real: false)).backward();
            optimizer.step();
        }
        using var real = Texts(200, real: true);
        using var fake = Texts(200, real: false);
        double accuracy = PrefixDiscriminator.Accuracy(network, real, fake);
        Assert.True(accuracy > 0.9, $"whole texts: {accuracy:P1} right");

        using var realFirst = PrefixDiscriminator.RealProbabilities(network, real).select(1, 0);
        using var fakeFirst = PrefixDiscriminator.RealProbabilities(network, fake).select(1, 0);
        double gap = Math.Abs(realFirst.mean().item<float>() - fakeFirst.mean().item<float>());
        Assert.True(gap < 0.1, $"first letter alone: P(real) {realFirst.mean().item<float>():F3} on real against {fakeFirst.mean().item<float>():F3} on shuffled");
    }

    /// <summary>
    /// A short run through the CLI writes a generator that loads as an ordinary character model, and the
    /// discriminator as a classifier; the checkpoint resumes to the next epoch; the --mle-only control takes no
    /// adversarial steps; a file of texts of two lengths is one line naming the file and the line.
    /// </summary>
    [Fact]
    public void TheCliWritesAGeneratorAndADiscriminatorResumesAndNamesABadLine()
    {
        using var dir = new TempDirectory();
        var tokenizer = CharTokenizer.FromText("abc\n", 1);
        using (var start = TorchFixture.RandomNetwork<LanguageModelNetwork>(LanguageModelNetwork.Describe(tokenizer, 8, 16, 1), seed: 3))
            TaskNetworks.Save(dir.File("mle.safetensors"), start);
        File.WriteAllLines(dir.File("train.txt"), Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? "abcabc" : "cbacba"));
        File.WriteAllLines(dir.File("valid.txt"), ["abcabc", "cbacba", "abcabc"]);
        string[] Args(params string[] extra) =>
        [
            "gan", "--generator", dir.File("mle.safetensors"), "--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "-o", dir.File("gan.safetensors"),
            "--d-embedding", "4", "--d-hidden", "8", "--batch-size", "8", "--steps-per-epoch", "3", "--d-pretrain-steps", "2", "--report-samples", "8",
            "--epochs", "2", "--threads", "1", "--checkpoint-dir", dir.File("ckpt"), .. extra,
        ];

        var first = CliRunner.RunTrainer(Args("--stop-after-epoch", "1", "--discriminator-output", dir.File("d.safetensors")));
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("epoch 1/2: reward", first.Stdout);
        Assert.Contains("continue with --resume", first.Stdout);
        using (var generator = FloatLstmModelLoader(dir.File("gan.safetensors")))
            Assert.Equal(ModelTask.LanguageModel, generator.Description.Kind);
        using (var discriminator = FloatLstmModelLoader(dir.File("d.safetensors")))
            Assert.Equal(PrefixDiscriminator.Labels, discriminator.Description.Head.Labels);

        var resumed = CliRunner.RunTrainer(Args("--resume"));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("resuming after epoch 1", resumed.Stdout);
        Assert.DoesNotContain("discriminator after", resumed.Stdout); // its state came from the checkpoint, not a second pretraining
        Assert.Contains("epoch 2/2: reward", resumed.Stdout);

        var control = CliRunner.RunTrainer(["gan", "--generator", dir.File("mle.safetensors"), "--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"),
            "-o", dir.File("control.safetensors"), "--batch-size", "8", "--steps-per-epoch", "2", "--report-samples", "8", "--epochs", "1", "--threads", "1", "--mle-only"]);
        Assert.True(control.ExitCode == 0, control.Stderr);
        Assert.Contains("epoch 1/1: valid", control.Stdout); // no reward and no discriminator in the control run
        Assert.DoesNotContain("discriminator after", control.Stdout);
        Assert.Equal("mle-only", SafeTensorsReader.Read(dir.File("control.safetensors")).Metadata["edgelstm.trainer.gan_control"]);

        File.AppendAllLines(dir.File("valid.txt"), ["abcab"]);
        var refused = CliRunner.RunTrainer(Args());
        Assert.NotEqual(0, refused.ExitCode);
        string error = refused.Stderr.Trim();
        Assert.DoesNotContain("\n", error);
        Assert.Contains("valid.txt: line 4 has 5 characters, not 6", error);
    }

    private static EdgeLstm.Runtime.Float.FloatLstmModel FloatLstmModelLoader(string path) =>
        EdgeLstm.Runtime.Float.FloatLstmModel.FromSafeTensors(SafeTensorsReader.Read(path));
}
