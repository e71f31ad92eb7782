namespace EdgeLstm.Trainer;

/// <summary>Hyperparameters of `edgelstm-train forecast` (defaults: a 1-layer LSTM 64, recursive, 56 days read, MAE loss).</summary>
public sealed record ForecastOptions : TrainerOptions
{
    public ForecastOptions() : base(dropout: 0.1, batchSize: 64, epochs: 60, patience: 8, learningRate: 3e-3) { }

    public string Strategy { get; init; } = ForecastStrategies.Recursive;
    public int HiddenSize { get; init; } = 64;
    public int Layers { get; init; } = 1;
    public int History { get; init; } = 56;
    public int LevelWindow { get; init; } = 28;
    public int Horizon { get; init; } = 28;
    /// <summary>"mae" (L1) or "mse", on the scaled values.</summary>
    public string Loss { get; init; } = "mae";
    /// <summary>Recursive models: feed the forecasts back over the horizon in training too (otherwise the true values).</summary>
    public bool Rollout { get; init; } = true;

    protected override void ValidateTask()
    {
        if (Strategy is not (ForecastStrategies.Recursive or ForecastStrategies.Direct)) throw new ArgumentException($"--strategy must be recursive or direct, got '{Strategy}'");
        if (HiddenSize is < 1 or > 4096) throw new ArgumentException($"--hidden-size must be 1..4096, got {HiddenSize}");
        if (Layers is < 1 or > 8) throw new ArgumentException($"--layers must be 1..8, got {Layers}");
        if (History is < 2 or > 3650) throw new ArgumentException($"--history must be 2..3650 days, got {History}");
        if (LevelWindow is < 1 or > 3650) throw new ArgumentException($"--level-window must be 1..3650 days, got {LevelWindow}");
        if (Horizon is < 1 or > 365) throw new ArgumentException($"--horizon must be 1..365 days, got {Horizon}");
        if (Loss is not ("mae" or "mse")) throw new ArgumentException($"--loss must be mae or mse, got '{Loss}'");
    }
}
