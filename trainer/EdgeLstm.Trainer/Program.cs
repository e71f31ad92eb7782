using System.CommandLine;
using EdgeLstm.Cli;
using EdgeLstm.Trainer;

// `edgelstm-train`: trains a float character LSTM with TorchSharp and writes it as safetensors.
var train = new Option<FileInfo>("--train") { Description = "Training text (UTF-8); the vocabulary is built from it", Required = true };
var valid = new Option<FileInfo>("--valid") { Description = "Validation text (UTF-8), scored after every epoch", Required = true };
var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the best model (safetensors)", Required = true };
var embeddingDim = new Option<int>("--embedding-dim") { Description = "Embedding size", DefaultValueFactory = _ => 64 };
var tokenizerKind = new Option<string>("--tokenizer") { Description = "char (one token per code point) or word (words and punctuation marks, vocabulary capped)", DefaultValueFactory = _ => "char" };
var minCount = new Option<int>("--min-count") { Description = "Tokens seen fewer times in --train become the unknown token (1 keeps every character)", DefaultValueFactory = _ => 1 };
var maxVocabulary = new Option<int>("--max-vocabulary") { Description = "Word tokenizer: most frequent words kept, with <pad> and <unk>", DefaultValueFactory = _ => 10000 };
var lowercase = new Option<bool>("--lowercase") { Description = "Word tokenizer: lower-case the text first" };
var hiddenSize = new Option<int>("--hidden-size") { Description = "LSTM hidden size", DefaultValueFactory = _ => 256 };
var layers = new Option<int>("--layers") { Description = "Stacked LSTM layers", DefaultValueFactory = _ => 2 };
var dropout = new Option<double>("--dropout") { Description = "Dropout between LSTM layers and before the output layer", DefaultValueFactory = _ => 0.1 };
var batchSize = new Option<int>("--batch-size") { Description = "Parallel streams per batch", DefaultValueFactory = _ => 32 };
var seqLen = new Option<int>("--seq-len") { Description = "Characters per truncated-BPTT window", DefaultValueFactory = _ => 128 };
var lr = new Option<double>("--lr") { Description = "Adam learning rate at the start", DefaultValueFactory = _ => 2e-3 };
var minLr = new Option<double>("--min-lr") { Description = "Learning rate at the end of the cosine decay", DefaultValueFactory = _ => 1e-4 };
var clip = new Option<double>("--clip") { Description = "Maximum gradient norm", DefaultValueFactory = _ => 5.0 };
var epochs = new Option<int>("--epochs") { Description = "Maximum epochs (the cosine schedule spans them)", DefaultValueFactory = _ => 20 };
var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without a better validation score", DefaultValueFactory = _ => 3 };
var maxBatches = new Option<int>("--max-batches") { Description = "Cap on batches per epoch (0 = whole text); for quick runs", DefaultValueFactory = _ => 0 };
var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<int>("--seed") { Description = "Random seed (initial weights, dropout)", DefaultValueFactory = _ => 42 };
var checkpointDir = new Option<DirectoryInfo>("--checkpoint-dir") { Description = "Keep a resumable checkpoint here after every epoch" };
var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir" };
var initFrom = new Option<FileInfo>("--init-from") { Description = "Start from the weights of this float model (fine-tuning)" };
var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors" };
var stopAfter = new Option<int>("--stop-after-epoch") { Description = "Stop cleanly after this epoch (0 = never); continue later with --resume", DefaultValueFactory = _ => 0 };
var calibrate = new Option<bool>("--calibrate-temperature") { Description = "After training, fit a softmax temperature on --valid and fold it into the output layer (see `calibrate`)" };
var int4Aware = new Option<bool>("--int4-aware")
{
    Description = "Fine-tune for `edgelstm-dev convert --dtype int4` (start from a trained model with --init-from): every forward pass and validation " +
        "run the int4 values the converter will write (straight-through gradients to the float weights)",
};
var prune = new Option<string>("--prune") { Description = "Fine-tune under pruning: magnitude:F, magnitude:F:global, block:F or block:F:row (masks from the starting weights)", DefaultValueFactory = _ => "none" };

var initEmbedding = new Option<FileInfo>("--init-embedding") { Description = "Word models: start the embedding from these word vectors (word2vec or GloVe text, e.g. `edgelstm-train vectors`)" };
var freezeEmbedding = new Option<bool>("--freeze-embedding") { Description = "With --init-embedding: keep the embedding as loaded" };
var distributed = new Option<bool>("--distributed") { Description = DistributedGroup.OptionDescription };
var root = new RootCommand("edgelstm-train: trains an LSTM language model over characters or words (TorchSharp, CPU) and writes it as safetensors")
{
    train, valid, output, embeddingDim, tokenizerKind, minCount, maxVocabulary, lowercase, hiddenSize, layers, dropout, batchSize, seqLen, lr, minLr, clip, epochs, patience,
    maxBatches, threads, seed, checkpointDir, resume, initFrom, quiet, prune, int4Aware, stopAfter, calibrate, initEmbedding, freezeEmbedding, distributed,
};
root.Subcommands.Add(AverageCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
root.Subcommands.Add(ClassifyCommand.Create());
root.Subcommands.Add(ForecastCommand.Create());
root.Subcommands.Add(GanCommand.Create());
root.Subcommands.Add(Seq2SeqCommand.Create());
root.Subcommands.Add(TagCommand.Create());
root.Subcommands.Add(VectorsCommand.Create());
root.SetAction(result => UserErrors.Run(() => DistributedGroup.Run(result.GetValue(distributed), group =>
{
    var options = new TrainOptions
    {
        Group = group,
        TrainFile = result.GetValue(train)!.FullName,
        ValidFile = result.GetValue(valid)!.FullName,
        Output = result.GetValue(output)!.FullName,
        EmbeddingDim = result.GetValue(embeddingDim),
        MinCount = result.GetValue(minCount),
        Tokenizer = result.GetValue(tokenizerKind)!,
        MaxVocabulary = result.GetValue(maxVocabulary),
        Lowercase = result.GetValue(lowercase),
        HiddenSize = result.GetValue(hiddenSize),
        Layers = result.GetValue(layers),
        Dropout = result.GetValue(dropout),
        BatchSize = result.GetValue(batchSize),
        SeqLen = result.GetValue(seqLen),
        LearningRate = result.GetValue(lr),
        MinLearningRate = result.GetValue(minLr),
        Clip = result.GetValue(clip),
        Epochs = result.GetValue(epochs),
        Patience = result.GetValue(patience),
        MaxBatchesPerEpoch = result.GetValue(maxBatches),
        Threads = result.GetValue(threads),
        Seed = result.GetValue(seed),
        CheckpointDir = result.GetValue(checkpointDir)?.FullName,
        Resume = result.GetValue(resume),
        InitFrom = result.GetValue(initFrom)?.FullName,
        Quiet = result.GetValue(quiet),
        Prune = EdgeLstm.Converter.PruneSpec.Parse(result.GetValue(prune)),
        Int4Aware = result.GetValue(int4Aware),
        InitEmbedding = result.GetValue(initEmbedding) is { } vectors ? WordVectors.Read(vectors.FullName) : null,
        FreezeEmbedding = result.GetValue(freezeEmbedding),
        StopAfterEpoch = result.GetValue(stopAfter),
    };
    options.Validate();
    using var interrupt = new TrainingInterrupt(group);
    var outcome = new CharLmTrainer(options).Run(group.StopToken(interrupt.Token));
    if (!group.IsRoot) return outcome.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
    if (!options.Quiet && outcome.Epochs > 0)
        Console.WriteLine($"best validation {outcome.BestValidBits:F4} {(outcome.Tokenizer is EdgeLstm.Runtime.WordTokenizer ? "bits/word" : "bits/char")}; model: {options.Output}");
    if (!outcome.Interrupted && outcome.Epochs > 0 && result.GetValue(calibrate))
    {
        var calibration = TemperatureCalibration.CalibrateFile(options.Output, options.ValidFile, options.Output);
        if (!options.Quiet) CalibrateCommand.Report(calibration, options.Output);
    }
    return outcome.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
})));
return root.Parse(args).Invoke();
