using System.CommandLine;
using EdgeLstm.Cli;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train seq2seq`: trains a grapheme-to-phoneme encoder–decoder with attention on a pronouncing lexicon
/// (as `edgelstm-data cmudict` writes it): split "train" to learn, "valid" to pick the epoch (greedy WER), and with
/// --score-test the "test" words scored once. Hours on two cores: --checkpoint-dir keeps every epoch resumable;
/// Ctrl-C or SIGTERM stops after the current batch with the last epoch's checkpoint intact.
/// </summary>
internal static class Seq2SeqCommand
{
    public static Command Create()
    {
        var data = new Option<FileInfo>("--data") { Description = "Pronouncing lexicon: tab-separated word, pronunciations, split (see `edgelstm-data cmudict`)", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the best model (safetensors)", Required = true };
        var embeddingDim = new Option<int>("--embedding-dim") { Description = "Grapheme embedding size", DefaultValueFactory = _ => 64 };
        var encoderHidden = new Option<int>("--encoder-hidden") { Description = "Encoder LSTM hidden size per direction", DefaultValueFactory = _ => 128 };
        var encoderLayers = new Option<int>("--encoder-layers") { Description = "Bidirectional encoder layers", DefaultValueFactory = _ => 2 };
        var decoderEmbedding = new Option<int>("--decoder-embedding") { Description = "Phoneme embedding size", DefaultValueFactory = _ => 64 };
        var decoderHidden = new Option<int>("--decoder-hidden") { Description = "Decoder LSTM hidden size", DefaultValueFactory = _ => 256 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout on embeddings, between encoder layers and before the output layer", DefaultValueFactory = _ => 0.2 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (with --resume: the rate from there on)", DefaultValueFactory = _ => 2e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Pronunciations per batch", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs", DefaultValueFactory = _ => 30 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a lower validation WER", DefaultValueFactory = _ => 4 };
        var stress = new Option<bool>("--stress") { Description = "Predict phonemes with their stress digits (AH0, AH1) instead of without" };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        var checkpointDir = new Option<DirectoryInfo>("--checkpoint-dir") { Description = "Keep a resumable checkpoint (and the best model so far) here after every epoch" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir" };
        var stopAfter = new Option<int>("--stop-after-epoch") { Description = "Stop cleanly after this epoch (0 = never); continue later with --resume", DefaultValueFactory = _ => 0 };
        var scoreTest = new Option<bool>("--score-test") { Description = "Also score the test words (once, for the model you keep)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the results" };
        var initFrom = new Option<FileInfo>("--init-from") { Description = "Start from this float g2p model's weights (fine-tuning; its shape replaces the size options)" };
        var int4Aware = new Option<bool>("--int4-aware")
        {
            Description = "Fine-tune for `edgelstm-dev convert --dtype int4` (with --init-from): forward passes and validation at the int4 values the converter will write",
        };
        var labelSmoothing = new Option<double>("--label-smoothing") { Description = "Move this much of each target's probability evenly onto the other phonemes (regularises; 0 = none)", DefaultValueFactory = _ => 0.0 };
        var constantLr = new Option<bool>("--constant-lr") { Description = "Keep the learning rate (default: halve it after each epoch without a lower validation WER)" };
        var lengthBuckets = new Option<bool>("--length-buckets") { Description = "Batch examples of similar length together (less padding, faster epochs; the batches differ, so results differ from a run without)" };
        var distributed = new Option<bool>("--distributed") { Description = DistributedGroup.OptionDescription };
        var averageLast = new Option<int>("--average-last")
        {
            Description = "Checkpoint averaging: after training, score the mean of the last N epochs' weights on the valid words and keep it if its WER is lower than the best epoch's (needs --checkpoint-dir, which then keeps N epochs)",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("seq2seq", "Train a grapheme-to-phoneme model (graphemes → BiLSTM encoder → LSTM decoder with attention) on a pronouncing lexicon")
        {
            data, output, embeddingDim, encoderHidden, encoderLayers, decoderEmbedding, decoderHidden, dropout, lr, batchSize, epochs, patience, stress,
            threads, seed, checkpointDir, resume, stopAfter, scoreTest, quiet, constantLr, initFrom, int4Aware, labelSmoothing, lengthBuckets, distributed, averageLast,
        };
        command.SetAction(result => UserErrors.Run(() => DistributedGroup.Run(result.GetValue(distributed), group =>
        {
            var options = new Seq2SeqOptions
            {
                Group = group,
                EmbeddingDim = result.GetValue(embeddingDim), EncoderHidden = result.GetValue(encoderHidden), EncoderLayers = result.GetValue(encoderLayers),
                DecoderEmbedding = result.GetValue(decoderEmbedding), DecoderHidden = result.GetValue(decoderHidden), Dropout = result.GetValue(dropout),
                LearningRate = result.GetValue(lr), BatchSize = result.GetValue(batchSize), Epochs = result.GetValue(epochs), Patience = result.GetValue(patience),
                Stress = result.GetValue(stress), Threads = result.GetValue(threads), Seed = result.GetValue(seed),
                CheckpointDir = result.GetValue(checkpointDir)?.FullName, Resume = result.GetValue(resume), StopAfterEpoch = result.GetValue(stopAfter),
                Quiet = result.GetValue(quiet), LengthBuckets = result.GetValue(lengthBuckets), HalveLearningRate = !result.GetValue(constantLr),
                InitFrom = result.GetValue(initFrom)?.FullName, Int4Aware = result.GetValue(int4Aware),
                LabelSmoothing = result.GetValue(labelSmoothing), AverageLast = result.GetValue(averageLast),
            };
            options.Validate();
            string path = result.GetValue(data)!.FullName;
            var words = PronunciationLexicon.Read(path);
            List<LexiconWord> Part(string split) => words.Where(w => w.Split == split).ToList() is { Count: > 0 } part ? part
                : throw new ArgumentException($"{Path.GetFileName(path)}: no words in split '{split}'");
            var train = Part("train");
            var valid = Part("valid");
            using var interrupt = new TrainingInterrupt(group);
            var trainer = new Seq2SeqTrainer(options);
            var trained = trainer.Train(train, valid, group.StopToken(interrupt.Token), options.Quiet || !group.IsRoot ? null : Console.Error.WriteLine);
            if (!group.IsRoot)
            {
                // Scoring and writing are rank 0's; a stop (or --stop-after-epoch) is 130 on every rank, as on rank 0.
                trained.Network.Dispose();
                return trained.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
            }
            if (trained.Interrupted)
            {
                Console.WriteLine(trained.Epochs == 0 ? "stopped before the first epoch ended; no model written"
                    : $"stopped after epoch {trained.Epochs}; best validation WER so far {trained.ValidWer:F2}%; continue with --resume");
                trained.Network.Dispose();
                return ExitCodes.Interrupted;
            }
            var metadata = new Dictionary<string, string>
            {
                ["edgelstm.trainer.command"] = "edgelstm-train " + string.Join(" ", result.Tokens.Select(t => t.Value)),
                ["edgelstm.trainer.best_epoch"] = trained.BestEpoch.ToString(CultureInfo.InvariantCulture),
                ["edgelstm.trainer.valid_wer"] = trained.ValidWer.ToString("F2", CultureInfo.InvariantCulture),
            };
            if (trained.AveragedFrom > 0) metadata["edgelstm.trainer.averaged_epochs"] = $"{trained.AveragedFrom}..{trained.Epochs}";
            Console.WriteLine($"{(trained.AveragedFrom > 0 ? $"average of epochs {trained.AveragedFrom}..{trained.Epochs}" : $"best epoch {trained.BestEpoch}")} of {trained.Epochs}: validation WER {trained.ValidWer:F2}%, PER {trained.ValidPer:F2}% (greedy, {valid.Count:N0} words)");
            if (result.GetValue(scoreTest))
            {
                var (wer, per) = trainer.Score(trained.Network, Part("test"), trained.Description.Input.Tokenizer!.Create("model"), trained.Description.Head.Labels);
                metadata["edgelstm.trainer.test_wer"] = wer.ToString("F2", CultureInfo.InvariantCulture);
                metadata["edgelstm.trainer.test_per"] = per.ToString("F2", CultureInfo.InvariantCulture);
                Console.WriteLine($"test: WER {wer:F2}%, PER {per:F2}% (greedy, {Part("test").Count:N0} words)");
            }
            TaskNetworks.Save(result.GetValue(output)!.FullName, trained.Network, metadata);
            Console.WriteLine($"model: {result.GetValue(output)!.FullName}");
            trained.Network.Dispose();
            return ExitCodes.Success;
        })));
        return command;
    }
}
