using System.CommandLine;
using EdgeLstm.Cli;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train forecast`: trains a daily forecaster on the days of split "train" of a series CSV (as
/// `edgelstm-data births` writes it), picks the epoch on split "valid", then scores split "test" once — float and
/// int8, at horizons 1, 7 and 28, beside the seasonal baselines on the same days — and writes the float model.
/// </summary>
internal static class ForecastCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "Daily series CSV with a header date,value,split (splits train, valid, test in time order)", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the model (safetensors)", Required = true };
        var strategy = new Option<string>("--strategy") { Description = "recursive (one day ahead, forecasts fed back) or direct (all horizon days from the history at once)", DefaultValueFactory = _ => ForecastStrategies.Recursive };
        var hiddenSize = new Option<int>("--hidden-size") { Description = "LSTM hidden size", DefaultValueFactory = _ => 64 };
        var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers", DefaultValueFactory = _ => 1 };
        var history = new Option<int>("--history") { Description = "Days the model reads before the first forecast day", DefaultValueFactory = _ => 56 };
        var levelWindow = new Option<int>("--level-window") { Description = "Values are scaled by the mean of this many last known days", DefaultValueFactory = _ => 28 };
        var horizon = new Option<int>("--horizon") { Description = "Days forecast", DefaultValueFactory = _ => 28 };
        var loss = new Option<string>("--loss") { Description = "mae or mse, on the scaled values", DefaultValueFactory = _ => "mae" };
        var dropout = new Option<double>("--dropout") { Description = "Dropout before the output layer", DefaultValueFactory = _ => 0.1 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 3e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Windows per batch", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs", DefaultValueFactory = _ => 60 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a lower validation MAE", DefaultValueFactory = _ => 8 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Random seed (initial weights, dropout, batch order)", DefaultValueFactory = _ => 42 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the results" };
        var teacherForcing = new Option<bool>("--teacher-forcing") { Description = "Recursive models: train on the true values over the horizon instead of feeding the forecasts back" };
        var scoreTest = new Option<bool>("--score-test") { Description = "Also score the test days (do it once, for the model you keep; compare settings on validation)" };
        var distributed = new Option<bool>("--distributed") { Description = DistributedGroup.OptionDescription };
        var command = new Command("forecast", "Train a daily forecaster (calendar features + LSTM) on a series CSV; score its test days once against seasonal baselines")
        {
            data, output, strategy, hiddenSize, layers, history, levelWindow, horizon, loss, dropout, lr, batchSize, epochs, patience, threads, seed, quiet, scoreTest, teacherForcing, distributed,
        };
        command.SetAction(result => UserErrors.Run(() => DistributedGroup.Run(result.GetValue(distributed), group =>
        {
            var options = new ForecastOptions
            {
                Group = group,
                Strategy = result.GetValue(strategy)!, HiddenSize = result.GetValue(hiddenSize), Layers = result.GetValue(layers),
                History = result.GetValue(history), LevelWindow = result.GetValue(levelWindow), Horizon = result.GetValue(horizon),
                Loss = result.GetValue(loss)!, Dropout = result.GetValue(dropout), LearningRate = result.GetValue(lr), BatchSize = result.GetValue(batchSize),
                Epochs = result.GetValue(epochs), Patience = result.GetValue(patience), Threads = result.GetValue(threads), Seed = result.GetValue(seed),
                Quiet = result.GetValue(quiet), Rollout = !result.GetValue(teacherForcing),
            };
            options.Validate();
            string path = result.GetValue(data)!.FullName, name = Path.GetFileName(path);
            var series = DailySeriesFile.Read(path);
            var train = series.Range("train", name);
            var valid = series.Range("valid", name);
            var test = series.Range("test", name);
            if (!(train.End <= valid.Start && valid.End <= test.Start))
                throw new ArgumentException($"{name}: the splits must come in time order: train, then valid, then test");
            using var interrupt = new TrainingInterrupt(group);
            var trained = new ForecastTrainer(options).Train(series, train, valid, options.Quiet || !group.IsRoot ? null : Console.Error.WriteLine,
                group.StopToken(interrupt.Token));
            int code = trained.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
            if (!group.IsRoot || trained.Epochs == 0)
            {
                // Scoring and writing are rank 0's; with no finished epoch there is nothing to keep.
                if (group.IsRoot) Console.WriteLine("stopped before the first epoch ended; no model written");
                trained.Network.Dispose();
                return code;
            }
            double scale = ForecastErrors.NaiveScale(series.Values.AsSpan(train.Start, train.End - train.Start), 7);
            int[] horizons = ForecastEvaluator.StandardHorizons.Where(h => h <= options.Horizon).ToArray();

            // The validation days (and with --score-test the test days, once): the float model and its int8
            // conversion, as the runtime runs them.
            using var floatModel = TaskNetworks.ToFloatModel(trained.Network);
            using var int8Model = CompactModelLoader.Load(ModelFileReader.Parse(
                EdgeLstm.Converter.CompactModelBuilder.Build(floatModel, EdgeLstm.Converter.WeightType.Int8, blockSparse: false, "none", "trainer"), "int8"));
            var metadata = new Dictionary<string, string>
            {
                ["edgelstm.trainer.command"] = "edgelstm-train " + string.Join(" ", result.Tokens.Select(t => t.Value)),
                ["edgelstm.trainer.best_epoch"] = trained.BestEpoch.ToString(CultureInfo.InvariantCulture),
                ["edgelstm.trainer.valid_mae"] = trained.ValidMae.ToString("F1", CultureInfo.InvariantCulture),
            };
            Console.WriteLine($"{(trained.Interrupted ? "stopped: kept " : "")}best epoch {trained.BestEpoch} of {trained.Epochs}: validation MAE (mean of horizons 1..{options.Horizon}) {trained.ValidMae:F1}; MASE scale (lag-7 naive MAE on the training days) {scale:F1}");
            foreach (var (split, range) in result.GetValue(scoreTest) ? new[] { ("valid", valid), ("test", test) } : [("valid", valid)])
            {
                IReadOnlyList<HorizonErrors> floatErrors, int8Errors;
                using (var forecaster = new Forecaster(floatModel)) floatErrors = ForecastEvaluator.Evaluate(forecaster, series, range.Start, range.End, horizons);
                using (var forecaster = new Forecaster(int8Model)) int8Errors = ForecastEvaluator.Evaluate(forecaster, series, range.Start, range.End, horizons);
                metadata[$"edgelstm.trainer.{split}_mae"] = string.Join(",", floatErrors.Select(e => $"h{e.Horizon}:{e.Model!.Mae.ToString("F1", CultureInfo.InvariantCulture)}"));
                Console.WriteLine($"{split} days {series.DayAt(range.Start):yyyy-MM-dd}..{series.DayAt(range.End - 1):yyyy-MM-dd}:");
                Console.Write(ForecastTable.Format(floatErrors, scale, "LSTM float"));
                Console.WriteLine("int8: " + string.Join("; ", int8Errors.Select((e, i) =>
                    $"h{e.Horizon} MAE {e.Model!.Mae:F1} ({100 * (e.Model.Mae / floatErrors[i].Model!.Mae - 1):+0.00;-0.00}% vs float)")));
                Console.WriteLine("float: " + ForecastTable.Summary(floatErrors));
            }
            string outputPath = result.GetValue(output)!.FullName;
            TaskNetworks.Save(outputPath, trained.Network, metadata);
            Console.WriteLine($"model: {outputPath}");
            trained.Network.Dispose();
            return code;
        })));
        return command;
    }
}
