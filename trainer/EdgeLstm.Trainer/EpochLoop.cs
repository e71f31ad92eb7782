using System.Diagnostics;

namespace EdgeLstm.Trainer;

/// <summary>A validation score, lower is better; <see cref="TieBreak"/> (lower is better) decides between equal values.</summary>
public readonly record struct ValidationScore(double Value, double TieBreak = 0)
{
    public bool IsBetterThan(ValidationScore other) => Value < other.Value || (Value == other.Value && TieBreak < other.TieBreak);
}

/// <summary>How long to train and where to keep what a later run resumes from.</summary>
/// <param name="CheckpointDirectory">Where every completed epoch leaves a <see cref="TrainingCheckpoint"/>; null keeps nothing on disk.</param>
/// <param name="StopAfterEpoch">Stop cleanly after this epoch (0 = never), to continue with <paramref name="Resume"/>.</param>
/// <param name="Group">The ranks training together (--distributed); null or <see cref="DistributedGroup.Single"/> for one process.</param>
/// <param name="GlobalBatchSize">Recorded in the checkpoint (<see cref="TrainingCheckpoint.GlobalBatchSize"/>); 0 records nothing.</param>
/// <param name="KeepLast">A fixed schedule: every epoch counts as the best (the last one is kept) and patience never stops it. For a
/// phase with no validation score to select on (a GAN's adversarial phase); the trainer still reports what validation shows.</param>
/// <param name="SaveCompanions">Writes the state of whatever trains beside the network (a GAN's discriminator and its optimizer)
/// into the checkpoint directory, before the progress record that completes a checkpoint; the trainer reads it back on resume.</param>
/// <param name="KeepEpochs">How many of the latest epochs' checkpoint files stay on disk (<see cref="EpochLoop.RecentWeights"/>, for checkpoint averaging).</param>
public sealed record EpochLoopOptions(int Epochs, int Patience, string? CheckpointDirectory = null, bool Resume = false, int StopAfterEpoch = 0, bool Quiet = false,
    DistributedGroup? Group = null, int GlobalBatchSize = 0, bool KeepLast = false, Action<string>? SaveCompanions = null, int KeepEpochs = 1);

/// <summary>
/// The epoch loop every trainer runs: train an epoch under a progress bar (Ctrl-C stops it between batches), score
/// it on validation, keep the best epoch's weights (the first epoch is always kept, so a score that is never better
/// still ends with weights), stop after <c>Patience</c> epochs without a better one, and with a checkpoint directory
/// leave everything a resumed run needs. At the end the network holds the best epoch's weights, in eval mode.
/// What an epoch trains and how it is scored are the trainer's; the loop owns the order of these steps.
/// <para>Distributed (<see cref="EpochLoopOptions.Group"/>): every rank checks that its model and vocabulary are rank 0's
/// and starts from rank 0's weights; the training callback does the ranks' shards and all-reduces; validation, the
/// report and the checkpoint files are rank 0's alone (its score is broadcast, so every rank keeps the same best epoch
/// and stops at the same time), and the other ranks wait at a barrier until the checkpoint is written.</para>
/// </summary>
public sealed class EpochLoop
{
    /// <summary>How the run ended: the epochs done (including those before a resume), the best one and its score.</summary>
    /// <param name="BestDetail">What the trainer's validation returned for the best epoch; default when that epoch ran before a resume.</param>
    /// <param name="Interrupted">Ctrl-C or SIGTERM stopped an epoch; the checkpoint is the last completed epoch's.</param>
    /// <param name="Paused">Stopped after <see cref="EpochLoopOptions.StopAfterEpoch"/> as asked.</param>
    public sealed record Outcome<TDetail>(int EpochsDone, int BestEpoch, ValidationScore Best, TDetail? BestDetail, bool Interrupted, bool Paused);

    private readonly TaskNetwork _network;
    private readonly OptimizerHelper _optimizer;
    private readonly EpochLoopOptions _options;
    private readonly Action<string>? _log;
    private readonly DistributedGroup _group;
    private TrainingCheckpoint _progress = new(0, double.PositiveInfinity, 0, double.PositiveInfinity);
    /// <summary>The files of the last complete checkpoint (where a resumed run reads and the next one copies the best weights from).</summary>
    private string? _checkpointFiles;

    /// <summary>With <see cref="EpochLoopOptions.Resume"/>, reads the progress record and the optimizer's state now (the network was loaded from <see cref="LastWeights"/>).</summary>
    public EpochLoop(TaskNetwork network, OptimizerHelper optimizer, EpochLoopOptions options, Action<string>? log)
    {
        _group = options.Group ?? DistributedGroup.Single;
        (_network, _optimizer, _options, _log) = (network, optimizer, options, options.Quiet || !_group.IsRoot ? null : log);
        if (options.CheckpointDirectory is { } dir)
        {
            Directory.CreateDirectory(dir);
            if (options.Resume)
            {
                _progress = TrainingCheckpoint.Load(dir);
                _checkpointFiles = _progress.FilesIn(dir);
                optimizer.load_state_dict(Path.Combine(_checkpointFiles, TrainingCheckpoint.OptimizerFile));
                _log?.Invoke($"resuming after epoch {_progress.EpochsDone} (best validation score {_progress.BestValidScore:F4})");
            }
        }
        else if (options.Resume) throw new ArgumentException("--resume needs --checkpoint-dir");
    }

    /// <summary>The weights a resumed run starts from.</summary>
    public static string LastWeights(string checkpointDirectory) => Path.Combine(CheckpointFiles(checkpointDirectory), TrainingCheckpoint.WeightsFile);

    /// <summary>Where the last complete checkpoint's files are (a trainer's companions are read back from here).</summary>
    public static string CheckpointFiles(string checkpointDirectory) => TrainingCheckpoint.Load(checkpointDirectory).FilesIn(checkpointDirectory);

    /// <summary>The weights files of the last <paramref name="count"/> epochs up to <paramref name="epochsDone"/> that are still kept (<see cref="EpochLoopOptions.KeepEpochs"/>), oldest first.</summary>
    public static IReadOnlyList<string> RecentWeights(string checkpointDirectory, int epochsDone, int count)
    {
        var files = new List<string>();
        for (int epoch = Math.Max(1, epochsDone - count + 1); epoch <= epochsDone; epoch++)
        {
            string path = Path.Combine(checkpointDirectory, TrainingCheckpoint.FilesName(epoch), TrainingCheckpoint.WeightsFile);
            if (File.Exists(path)) files.Add(path);
        }
        return files;
    }

    /// <summary>Epochs completed before this run (a resume), 0 for a fresh one.</summary>
    public int EpochsDone => _progress.EpochsDone;

    /// <param name="train">Trains epoch e (1-based) in train mode, reporting (percent, text) for the progress bar; false if cancelled.</param>
    /// <param name="validate">Scores the epoch's weights on validation (the network may be switched to eval mode).</param>
    /// <param name="report">After each scored epoch, before its checkpoint: its number, score, detail and whether it is the best so far (the trainer's log line; rank 0's alone).</param>
    /// <param name="afterEpoch">After <paramref name="report"/>, on every rank: the epoch's number and whether it is the best so far, for
    /// per-epoch settings that must stay equal on every rank (a learning rate halved), before the checkpoint keeps them.</param>
    public Outcome<TDetail> Run<TDetail>(Func<int, Action<double, string>, CancellationToken, bool> train, Func<int, (ValidationScore Score, TDetail Detail)> validate,
        Action<int, ValidationScore, TDetail, bool> report, CancellationToken cancel = default, Action<int, bool>? afterEpoch = null)
    {
        string? dir = _options.CheckpointDirectory;
        RestoreRandomState();
        if (_group.IsDistributed)
        {
            _group.Agree("model and vocabulary", ModelFingerprint());
            _group.BroadcastWeights(_network);
        }
        Dictionary<string, Tensor>? kept = null;
        TDetail? bestDetail = default;
        bool interrupted = false, paused = false;
        try
        {
            for (int epoch = _progress.EpochsDone + 1; epoch <= _options.Epochs; epoch++)
            {
                if (_progress.EpochsDone > 0 && _progress.EpochsWithoutImprovement >= _options.Patience) break;
                _network.train();
                _group.ResetAllReduceTiming();
                if (!TrainWithProgress(train, epoch, cancel))
                {
                    interrupted = true;
                    _log?.Invoke(_progress.EpochsDone == 0
                        ? $"interrupted in epoch {epoch}; no epoch had finished, so nothing was kept"
                        : $"interrupted in epoch {epoch}; the checkpoint is epoch {_progress.EpochsDone}'s");
                    break;
                }
                // Every rank took the same steps, so the weights must be equal to the bit; a rank that drifted (a bug, a
                // non-deterministic kernel) would otherwise train on silently. Checked once an epoch: hashing is cheap.
                if (_group.IsDistributed) _group.Agree($"weights after epoch {epoch}", WeightsHash(), "the ranks' steps drifted apart");
                var (score, detail) = _group.IsRoot ? validate(epoch) : (default, default!);
                score = new ValidationScore(_group.BroadcastFromRoot(score.Value), _group.BroadcastFromRoot(score.TieBreak));
                bool better = _options.KeepLast || _progress.EpochsDone == 0 || score.IsBetterThan(new ValidationScore(_progress.BestValidScore, _progress.BestTieBreak));
                _progress = better
                    ? new TrainingCheckpoint(epoch, score.Value, 0, score.TieBreak)
                    : _progress with { EpochsDone = epoch, EpochsWithoutImprovement = _progress.EpochsWithoutImprovement + 1 };
                if (better)
                {
                    DisposeAll(kept);
                    kept = _network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
                    bestDetail = detail;
                }
                if (_group.IsRoot) report(epoch, score, detail, better);
                afterEpoch?.Invoke(epoch, better);
                if (_group.IsRoot && dir is not null) SaveCheckpoint(dir, better);
                _group.Barrier();
                if (epoch == _options.StopAfterEpoch && epoch < _options.Epochs)
                {
                    paused = true;
                    _group.AgreeStop(); // every rank pauses after this epoch: the ranks end together, as after a stop request
                    _log?.Invoke($"stopping after epoch {epoch} as asked; continue with --resume");
                    break;
                }
                if (_progress.EpochsWithoutImprovement >= _options.Patience)
                    _log?.Invoke($"early stop: no better validation score for {_options.Patience} epochs");
            }
            LoadBest(kept);
        }
        finally
        {
            DisposeAll(kept);
        }
        _network.eval();
        int bestEpoch = _progress.EpochsDone - _progress.EpochsWithoutImprovement;
        return new Outcome<TDetail>(_progress.EpochsDone, bestEpoch, new ValidationScore(_progress.BestValidScore, _progress.BestTieBreak),
            kept is null ? default : bestDetail, interrupted, paused);
    }

    /// <summary>In an interactive terminal a bar; in a log, a line every quarter of an epoch that runs longer than a few seconds.</summary>
    private bool TrainWithProgress(Func<int, Action<double, string>, CancellationToken, bool> train, int epoch, CancellationToken cancel)
    {
        bool completed = false;
        double lastLogged = 0;
        var clock = Stopwatch.StartNew();
        EpochProgress.Run($"epoch {epoch}/{_options.Epochs}", quiet: _log is null, report => completed = train(epoch, report, cancel), (percent, text) =>
        {
            if (_log is null || percent - lastLogged < 25 || clock.Elapsed.TotalSeconds < 5) return;
            lastLogged = percent;
            _log($"  {percent,3:F0}%  {text}  ({clock.Elapsed.TotalSeconds:F0} s)");
        });
        return completed && !cancel.IsCancellationRequested;
    }

    /// <summary>What must be equal on every rank: the tensors' names and shapes and the model description (with its vocabulary), hashed.</summary>
    private string ModelFingerprint()
    {
        string shapes = string.Join(", ", _network.state_dict().Select(p => $"{p.Key} {string.Join("×", p.Value.shape)}"));
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(shapes + "\n" + _network.Description.ToJson())));
        return $"{_network.parameters().Sum(p => p.numel()):N0} parameters, vocabulary {_network.Description.Input.Tokenizer?.Vocabulary.Length ?? 0}, hash {hash[..12]}";
    }

    private string WeightsHash()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (_, t) in _network.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
            using (var c = t.contiguous()) hash.AppendData(c.bytes);
        return "SHA-256 " + Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    private void SaveCheckpoint(string dir, bool best)
    {
        lock (TrainingCheckpoint.WriteLock)
            WriteCheckpointFiles(dir, best);
    }

    private void WriteCheckpointFiles(string dir, bool best)
    {
        string name = TrainingCheckpoint.FilesName(_progress.EpochsDone);
        string files = Path.Combine(dir, name);
        if (Directory.Exists(files)) Directory.Delete(files, recursive: true); // left half-written by a run that was killed
        Directory.CreateDirectory(files);
        string bestPath = Path.Combine(files, TrainingCheckpoint.BestWeightsFile);
        if (best) TaskNetworks.Save(bestPath, _network);
        else File.Copy(Path.Combine(_checkpointFiles!, TrainingCheckpoint.BestWeightsFile), bestPath); // an epoch after the first has a previous set
        TaskNetworks.Save(Path.Combine(files, TrainingCheckpoint.WeightsFile), _network);
        _optimizer.save_state_dict(Path.Combine(files, TrainingCheckpoint.OptimizerFile));
        using (var state = torch.get_rng_state())
            File.WriteAllBytes(Path.Combine(files, TrainingCheckpoint.RandomStateFile), state.data<byte>().ToArray());
        _options.SaveCompanions?.Invoke(files);
        // Last: the set is a checkpoint once its progress record (renamed into place) names it.
        (_progress with { GlobalBatchSize = _options.GlobalBatchSize, Files = name }).Save(dir);
        _checkpointFiles = files;
        var kept = Enumerable.Range(Math.Max(1, _progress.EpochsDone - _options.KeepEpochs + 1), Math.Min(_progress.EpochsDone, _options.KeepEpochs))
            .Select(TrainingCheckpoint.FilesName).ToHashSet(StringComparer.Ordinal);
        foreach (string other in Directory.GetDirectories(dir, "epoch-*"))
            if (!kept.Contains(Path.GetFileName(other))) Directory.Delete(other, recursive: true);
        foreach (string before in (string[])[TrainingCheckpoint.WeightsFile, TrainingCheckpoint.BestWeightsFile, TrainingCheckpoint.OptimizerFile, TrainingCheckpoint.RandomStateFile])
            File.Delete(Path.Combine(dir, before)); // a checkpoint of the earlier layout this run resumed from
    }

    /// <summary>
    /// Called when the loop starts, after everything that draws random numbers while being built, so dropout continues
    /// exactly where the checkpointed run left it. (Checkpoints written before rng.bin existed resume re-seeded.)
    /// </summary>
    private void RestoreRandomState()
    {
        if (!_options.Resume || _checkpointFiles is null) return;
        string path = Path.Combine(_checkpointFiles, TrainingCheckpoint.RandomStateFile);
        if (!File.Exists(path)) return;
        using var state = tensor(File.ReadAllBytes(path));
        torch.set_rng_state(state);
    }

    /// <summary>The best epoch's weights: this run's copy, or else (resumed with no better epoch since) the checkpoint's best file.</summary>
    private void LoadBest(Dictionary<string, Tensor>? kept)
    {
        if (kept is not null)
        {
            _network.load_state_dict(kept);
            return;
        }
        if (_checkpointFiles is null) return;
        string best = Path.Combine(_checkpointFiles, TrainingCheckpoint.BestWeightsFile);
        if (File.Exists(best)) TaskNetworks.CopyWeights(SafeTensorsReader.Read(best), _network);
    }

    private static void DisposeAll(Dictionary<string, Tensor>? state)
    {
        foreach (Tensor t in state?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
    }
}
