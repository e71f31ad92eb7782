using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Trainer;

/// <summary>
/// Trains a <see cref="ForecastNetwork"/> on the training days of a daily series. Every training day is a forecast
/// origin: its window's rows come from <see cref="Forecaster.BuildInputs"/> (the runtime's own code), scaled by the
/// level known at the origin. Recursive models learn one step ahead with the true values fed (teacher forcing) over
/// the history and the horizon; direct models learn the horizon from the history. After each epoch the runtime
/// forecasts the validation days from every origin (rollout included) and the mean MAE over horizons 1..H picks
/// the epoch kept. The test days are never read here. Distributed, every rank draws the same global batches of windows
/// and trains its shard of each (<see cref="TrainingSteps.StepShard"/>); see <see cref="DistributedGroup"/>.
/// </summary>
public sealed class ForecastTrainer(ForecastOptions options)
{
    /// <param name="Interrupted">Stopped by <c>cancel</c> mid-epoch: the network holds the best finished epoch, or its first weights when <see cref="Epochs"/> is 0.</param>
    public sealed record Result(ForecastNetwork Network, int Epochs, int BestEpoch, double ValidMae, bool Interrupted);

    /// <param name="cancel">Checked between batches; distributed, the group's agreed token (<see cref="DistributedGroup.StopToken"/>).</param>
    public Result Train(DailySeries series, (int Start, int End) train, (int Start, int End) valid, Action<string>? log = null, CancellationToken cancel = default)
    {
        options.Start();
        var description = Describe(series, train);
        var s = description.Input.Series!;
        var (rows, targets, windows, steps) = Windows(series, train, s);
        int features = CalendarFeatures.Size, outputs = targets.Length / windows;
        using var allRows = tensor(rows, [windows, steps, features]);
        using var allTargets = tensor(targets, [windows, outputs]);
        var network = TaskNetworks.Create<ForecastNetwork>(description, options.Dropout);
        var optimizer = optim.Adam(network.parameters(), lr: options.LearningRate);
        var minibatches = new Minibatches(windows, options.GlobalBatchSize, options.Seed);
        int[] horizons = Enumerable.Range(1, s.Horizon).ToArray();
        double trainLoss = 0;
        var loop = new EpochLoop(network, optimizer, new EpochLoopOptions(options.Epochs, options.Patience, Quiet: log is null, Group: options.Group), log);
        var outcome = loop.Run((epoch, report, stop) =>
        {
            // Cosine decay over the epochs: the rollout's validation error swings from epoch to epoch at a high rate.
            double lr = options.LearningRate * (0.05 + 0.95 * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / options.Epochs)));
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            trainLoss = 0;
            int done = 0;
            foreach (int[] batch in minibatches.NextEpoch())
            {
                if (stop.IsCancellationRequested) return false;
                using var scope = NewDisposeScope();
                var step = optimizer.StepShard(network, options.Group, batch, mine =>
                {
                    var index = tensor(Array.ConvertAll(mine, i => (long)i));
                    var batchRows = allRows.index_select(0, index);
                    var prediction = options.Rollout && !network.IsDirect ? network.Rollout(batchRows, s.History) : network.Forward(batchRows);
                    var target = allTargets.index_select(0, index);
                    // A mean over rows × outputs, every row with as many outputs: the ranks' weigh by their rows.
                    return (options.Loss == "mse" ? nn.functional.mse_loss(prediction, target) : nn.functional.l1_loss(prediction, target), mine.Length);
                }, clip: 1.0);
                trainLoss += step.Mean * step.Weight;
                done += batch.Length;
                report(done * 100.0 / windows, $"epoch {epoch}/{options.Epochs}  {done:N0}/{windows:N0} windows  loss {trainLoss / done:F4}");
            }
            trainLoss /= windows;
            return true;
        },
        _ => (new ValidationScore(ValidationMae(network, series, valid, horizons)), 0),
        (epoch, score, _, best) => log?.Invoke($"epoch {epoch}: train loss {trainLoss:F4}, valid MAE (mean of horizons 1..{s.Horizon}) {score.Value:F1}{(best ? " *" : "")}{options.Group.AllReduceTiming}"),
        cancel);
        return new Result(network, outcome.EpochsDone, outcome.BestEpoch, outcome.Best.Value, outcome.Interrupted);
    }

    /// <summary>The model description, with the value's scaling fitted on the training days (ratio to the level at each origin).</summary>
    public ModelDescription Describe(DailySeries series, (int Start, int End) train)
    {
        var draft = Series(0, 1);
        double sum = 0, squares = 0;
        int n = 0;
        for (int o = train.Start + draft.RequiredHistory - 1; o + 1 < train.End; o++)
        {
            float level = Forecaster.Level(draft, series.Values.AsSpan(train.Start, o + 1 - train.Start));
            double ratio = series.Values[o + 1] / level;
            sum += ratio;
            squares += ratio * ratio;
            n++;
        }
        if (n < 10) throw new ArgumentException($"the training days ({train.End - train.Start}) are too few for --history {options.History} and --level-window {options.LevelWindow}");
        double mean = sum / n, std = Math.Sqrt(Math.Max(squares / n - mean * mean, 1e-12));
        var s = Series((float)mean, (float)std);
        bool direct = options.Strategy == ForecastStrategies.Direct;
        return new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Vectors, Size = CalendarFeatures.Size, Series = s },
            Encoder = Enumerable.Range(0, options.Layers).Select(_ => new EncoderLayerDescription { Hidden = options.HiddenSize }).ToArray(),
            Head = new HeadDescription
            {
                Kind = HeadKinds.Regress, Pooling = direct ? Poolings.Last : Poolings.None, Size = direct ? options.Horizon : 1,
                Labels = direct ? Enumerable.Range(1, options.Horizon).Select(h => $"day+{h}").ToArray() : ["day"],
            },
        };
    }

    private SeriesDescription Series(float mean, float std) => new()
    {
        Recipe = CalendarFeatures.Recipe, Features = CalendarFeatures.Names, Strategy = options.Strategy, History = options.History,
        LevelWindow = options.LevelWindow, Horizon = options.Horizon, ValueMean = mean, ValueStd = std,
    };

    /// <summary>
    /// Every training origin's rows and targets, step-major. Recursive: the history rows plus the horizon's days with
    /// the true values fed, and the scaled value of every step's day as its target. Direct: the history rows, and
    /// the horizon's scaled values.
    /// </summary>
    public static (float[] Rows, float[] Targets, int Windows, int Steps) Windows(DailySeries series, (int Start, int End) range, SeriesDescription s)
    {
        bool direct = s.Strategy == ForecastStrategies.Direct;
        int steps = direct ? s.History : s.History + s.Horizon - 1, outputs = direct ? s.Horizon : steps, features = CalendarFeatures.Size;
        var window = s with { History = steps };
        int first = range.Start + s.RequiredHistory - 1, last = range.End - 1 - s.Horizon;
        int count = last - first + 1;
        if (count < 1) throw new ArgumentException($"no training window fits in {range.End - range.Start} days");
        var rows = new float[(long)count * steps * features];
        var targets = new float[(long)count * outputs];
        float[] y = series.Values;
        for (int w = 0; w < count; w++)
        {
            int o = first + w;
            float level = Forecaster.Level(s, y.AsSpan(range.Start, o + 1 - range.Start));
            // Recursive windows end at the horizon's last day, with its true predecessors as the fed values.
            int lastFed = direct ? o : o + s.Horizon - 1;
            Forecaster.BuildInputs(window, series.DayAt(lastFed), y.AsSpan(range.Start, lastFed + 1 - range.Start), level,
                rows.AsSpan(w * steps * features, steps * features));
            int firstTarget = direct ? o + 1 : lastFed + 1 - steps + 1;
            for (int k = 0; k < outputs; k++) targets[(long)w * outputs + k] = Forecaster.Scale(s, y[firstTarget + k], level);
        }
        return (rows, targets, count, steps);
    }

    private static double ValidationMae(ForecastNetwork network, DailySeries series, (int Start, int End) valid, int[] horizons)
    {
        network.eval();
        using var model = TaskNetworks.ToFloatModel(network);
        using var forecaster = new Forecaster(model);
        var errors = ForecastEvaluator.Evaluate(forecaster, series, valid.Start, valid.End, horizons);
        network.train();
        return errors.Average(e => e.Model!.Mae);
    }
}
