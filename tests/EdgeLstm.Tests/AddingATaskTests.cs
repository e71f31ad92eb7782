using TorchSharp.Modules;

namespace EdgeLstm.Tests;

/// <summary>
/// The "adding a task" walk-through of docs/architecture.md, done the documented way: a task that estimates the
/// share of the letter 'a' in a string. (1) Its model description: characters → an LSTM → a regress head with mean
/// pooling. (2) Its head's layers: <see cref="LetterShareNetwork"/>, a <see cref="TaskNetwork"/> that adds one
/// Linear under the name <see cref="ModelTensors"/> gives. (3) Its metric: mean absolute error, against the
/// baseline that always answers the training mean. Then the trainer's <see cref="EpochLoop"/> trains it, the
/// converter makes it int8, and the runtime and the CLI run it — with no line of runtime or converter code for it.
/// </summary>
public sealed class AddingATaskTests
{
    private const string Letters = "abcd";

    /// <summary>Step 2: the head's layers. The input, the encoder and dropout come from <see cref="TaskNetwork"/>.</summary>
    private sealed class LetterShareNetwork : TaskNetwork
    {
        private readonly Linear fc;

        public LetterShareNetwork(ModelDescription description) : base(description, dropout: 0, paddingIndex: WordTokenizer.PadId)
        {
            fc = Add(ModelTensors.HeadModule, nn.Linear(description.EncoderWidth, 1));
        }

        /// <summary>tokens [B, T] padded with 0, lengths [B] → the estimated share [B].</summary>
        public Tensor Forward(Tensor tokens, Tensor lengths)
        {
            using var scope = NewDisposeScope();
            var (output, _, _) = EncodePadded(tokens, lengths);
            var mean = output.sum(1).div(lengths.unsqueeze(1).to_type(ScalarType.Float32)); // SequencePooling's mean
            return fc.call(mean).squeeze(1).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Step 1: the description. Every reader (converter, loaders, info, the C ABI) knows a pooled regress head already.</summary>
    private static ModelDescription Describe(CharTokenizer tokenizer) => new()
    {
        Input = new InputDescription { Kind = InputKinds.Tokens, Size = 8, Tokenizer = tokenizer.ToDescription() },
        Encoder = [new EncoderLayerDescription { Hidden = 16 }],
        Head = new HeadDescription { Kind = HeadKinds.Regress, Pooling = Poolings.Mean, Size = 1, Labels = ["share of a"] },
    };

    private static (string Text, float Share)[] Strings(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var text = new string(Enumerable.Range(0, random.Next(4, 30)).Select(_ => Letters[random.Next(Letters.Length)]).ToArray());
            return (text, (float)text.Count(c => c == 'a') / text.Length);
        }).ToArray();
    }

    /// <summary>Step 3: the metric, mean absolute error.</summary>
    private static double MeanAbsoluteError(IReadOnlyList<float> predicted, (string Text, float Share)[] rows) =>
        rows.Select((r, i) => Math.Abs(predicted[i] - r.Share)).Average();

    private static float[] Predict(LetterShareNetwork network, int[][] ids)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (tokens, lengths) = ClassifierTrainer.Batch(ids, Enumerable.Range(0, ids.Length).ToArray());
        return network.Forward(tokens, lengths).data<float>().ToArray();
    }

    [Fact]
    public void ANewHeadTrainsConvertsAndRuns()
    {
        TorchFixture.Init(3);
        var tokenizer = CharTokenizer.FromText(Letters);
        var train = Strings(800, seed: 1);
        var valid = Strings(200, seed: 2);
        var test = Strings(200, seed: 3);
        int[][] Encode((string Text, float Share)[] rows) => rows.Select(r => tokenizer.Encode(r.Text)).ToArray();
        int[][] trainIds = Encode(train), validIds = Encode(valid), testIds = Encode(test);

        using var network = new LetterShareNetwork(Describe(tokenizer));
        network.CheckTensors(); // the head's layers are exactly the description's tensors
        var optimizer = optim.Adam(network.parameters(), lr: 1e-2);
        var loop = new EpochLoop(network, optimizer, new EpochLoopOptions(Epochs: 8, Patience: 3), log: null);
        var outcome = loop.Run((epoch, report, _) =>
        {
            for (int start = 0; start < trainIds.Length; start += 32)
            {
                using var scope = NewDisposeScope();
                int[] rows = Enumerable.Range(start, Math.Min(32, trainIds.Length - start)).ToArray();
                var (tokens, lengths) = ClassifierTrainer.Batch(trainIds, rows);
                var target = tensor(rows.Select(r => train[r].Share).ToArray());
                var loss = nn.functional.mse_loss(network.Forward(tokens, lengths), target);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
            return true;
        },
        _ => (new ValidationScore(MeanAbsoluteError(Predict(network, validIds), valid)), 0),
        (_, _, _, _) => { });

        float trainMean = train.Average(r => r.Share);
        double baseline = MeanAbsoluteError(Enumerable.Repeat(trainMean, test.Length).ToArray(), test);
        float[] torchTest = Predict(network, testIds);
        double mae = MeanAbsoluteError(torchTest, test);
        Assert.True(outcome.BestEpoch >= 1);
        Assert.True(mae < baseline / 3, $"test MAE {mae:F4}, baseline (training mean) {baseline:F4}: the network did not learn the task");

        // Float in the runtime: libtorch's numbers; int8 from the converter: within a hair of them, on every kernel alike.
        using var dir = new TempDirectory();
        string path = dir.File("share.safetensors");
        TaskNetworks.Save(path, network);
        using var floatModel = TaskNetworks.ToFloatModel(network);
        Assert.Equal(ModelTask.Regressor, floatModel.Description.Kind);
        using var floatRunner = floatModel.CreateRunner();
        using var int8Model = EveryKernel.Convert(floatModel, "share.elstm");
        float[] int8 = EveryKernel.RunnerOutputs(int8Model, testIds).Select(o => o[0]).ToArray(); // the same bits on every kernel
        double floatGap = 0, int8Gap = 0;
        for (int i = 0; i < test.Length; i++)
        {
            floatGap = Math.Max(floatGap, Math.Abs(floatRunner.Run(testIds[i])[0] - torchTest[i]));
            int8Gap = Math.Max(int8Gap, Math.Abs(int8[i] - torchTest[i]));
        }
        Assert.True(floatGap <= 1e-4, $"runtime float vs libtorch: {floatGap:E2}");
        Assert.True(int8Gap < 0.02, $"int8 vs float: {int8Gap:F4}");
        Console.WriteLine($"letter share: test MAE libtorch {mae:F4}, int8 {MeanAbsoluteError(int8, test):F4}, baseline {baseline:F4}; best epoch {outcome.BestEpoch}; runtime float vs libtorch {floatGap:E1}, int8 vs float {int8Gap:F4}");
        Assert.True(MeanAbsoluteError(int8, test) < baseline / 3, "int8 lost the task");

        var info = CliRunner.Run("info", "--model", path);
        Assert.True(info.ExitCode == 0, info.Stderr);
        Assert.Contains("regress", info.Stdout);
    }
}
