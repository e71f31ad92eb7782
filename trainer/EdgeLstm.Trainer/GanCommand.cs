using System.CommandLine;
using EdgeLstm.Cli;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train gan`: the adversarial phase of a language GAN (<see cref="GanTrainer"/>) from a character language
/// model trained by maximum likelihood on the same texts (e.g. quatrains from `edgelstm-data quatrains`, one per
/// line). The generator it writes is an ordinary character model: `edgelstm-dev convert` makes it int8 and
/// `edgelstm generate` runs it.
/// </summary>
internal static class GanCommand
{
    public static Command Create()
    {
        var generator = new Option<FileInfo>("--generator") { Description = "The character language model to start from (trained with `edgelstm-train` on the same texts)", Required = true };
        var train = new Option<FileInfo>("--train") { Description = "Real texts, one per line, all of one length (quatrains: 24 characters)", Required = true };
        var valid = new Option<FileInfo>("--valid") { Description = "Held-out texts of the same kind, for each epoch's report", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the generator after each epoch (safetensors)", Required = true };
        var discriminatorOutput = new Option<FileInfo>("--discriminator-output") { Description = "Also write the discriminator (a real/generated classifier) here" };
        var lr = new Option<double>("--lr") { Description = "Generator Adam learning rate (policy-gradient and MLE steps)", DefaultValueFactory = _ => 1e-4 };
        var dLr = new Option<double>("--d-lr") { Description = "Discriminator Adam learning rate", DefaultValueFactory = _ => 1e-3 };
        var dEmbedding = new Option<int>("--d-embedding") { Description = "Discriminator embedding size", DefaultValueFactory = _ => 64 };
        var dHidden = new Option<int>("--d-hidden") { Description = "Discriminator LSTM hidden size", DefaultValueFactory = _ => 128 };
        var dropout = new Option<double>("--dropout") { Description = "Discriminator dropout (the generator runs without)", DefaultValueFactory = _ => 0.2 };
        var dPretrain = new Option<int>("--d-pretrain-steps") { Description = "Discriminator steps on the starting generator's samples first", DefaultValueFactory = _ => 300 };
        var dSteps = new Option<int>("--d-steps") { Description = "Discriminator steps after each generator step (with 1 the discriminator fell to chance within 100 steps on quatrains)", DefaultValueFactory = _ => 3 };
        var mleSteps = new Option<int>("--mle-steps") { Description = "Maximum-likelihood steps on real texts after each generator step (0: the reward alone)", DefaultValueFactory = _ => 1 };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per step (samples, real texts)", DefaultValueFactory = _ => 64 };
        var stepsPerEpoch = new Option<int>("--steps-per-epoch") { Description = "Generator steps between reports and checkpoints", DefaultValueFactory = _ => 100 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of the fixed schedule (the last epoch's generator is kept)", DefaultValueFactory = _ => 10 };
        var reportSamples = new Option<int>("--report-samples") { Description = "Samples scored in each epoch's report", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Random seed (discriminator weights, samples, batches)", DefaultValueFactory = _ => 42 };
        var checkpointDir = new Option<DirectoryInfo>("--checkpoint-dir") { Description = "Keep a resumable checkpoint (generator, discriminator, optimizers) here after every epoch" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir" };
        var stopAfter = new Option<int>("--stop-after-epoch") { Description = "Stop cleanly after this epoch (0 = never); continue later with --resume", DefaultValueFactory = _ => 0 };
        var mleOnly = new Option<bool>("--mle-only") { Description = "The control run: the same schedule with MLE steps alone (no policy gradient, no discriminator); the baseline a GAN must beat" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors" };
        var command = new Command("gan", "Train a character language model further as a GAN's generator (SeqGAN-style policy gradient against an LSTM discriminator that scores every prefix)")
        {
            generator, train, valid, output, discriminatorOutput, lr, dLr, dEmbedding, dHidden, dropout, dPretrain, dSteps, mleSteps, batchSize, stepsPerEpoch,
            epochs, reportSamples, threads, seed, checkpointDir, resume, stopAfter, mleOnly, quiet,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            var options = new GanOptions
            {
                GeneratorFile = result.GetValue(generator)!.FullName,
                TrainFile = result.GetValue(train)!.FullName,
                ValidFile = result.GetValue(valid)!.FullName,
                Output = result.GetValue(output)!.FullName,
                DiscriminatorOutput = result.GetValue(discriminatorOutput)?.FullName,
                LearningRate = result.GetValue(lr),
                DiscriminatorLearningRate = result.GetValue(dLr),
                DiscriminatorEmbedding = result.GetValue(dEmbedding),
                DiscriminatorHidden = result.GetValue(dHidden),
                Dropout = result.GetValue(dropout),
                DiscriminatorPretrainSteps = result.GetValue(dPretrain),
                DiscriminatorSteps = result.GetValue(dSteps),
                MleSteps = result.GetValue(mleSteps),
                BatchSize = result.GetValue(batchSize),
                StepsPerEpoch = result.GetValue(stepsPerEpoch),
                Epochs = result.GetValue(epochs),
                ReportSamples = result.GetValue(reportSamples),
                Threads = result.GetValue(threads),
                Seed = result.GetValue(seed),
                CheckpointDir = result.GetValue(checkpointDir)?.FullName,
                Resume = result.GetValue(resume),
                StopAfterEpoch = result.GetValue(stopAfter),
                Quiet = result.GetValue(quiet),
                MleOnly = result.GetValue(mleOnly),
            };
            options.Validate();
            if (!File.Exists(options.GeneratorFile)) throw new FileNotFoundException($"--generator {options.GeneratorFile}: no such file", options.GeneratorFile);
            using var interrupt = new TrainingInterrupt(DistributedGroup.Single);
            var outcome = new GanTrainer(options).Run(interrupt.Token);
            if (outcome.Interrupted || outcome.Paused)
            {
                if (!options.Quiet && outcome.Epochs > 0) Console.WriteLine($"stopped after epoch {outcome.Epochs}; continue with --resume");
                return outcome.Interrupted ? ExitCodes.Interrupted : ExitCodes.Success;
            }
            if (!options.Quiet) Console.WriteLine($"generator after {outcome.Epochs} epochs: {options.Output}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
