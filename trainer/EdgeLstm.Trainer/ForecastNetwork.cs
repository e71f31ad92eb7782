namespace EdgeLstm.Trainer;

/// <summary>
/// The forecaster's head: nn.LSTM over the feature rows → dropout → fc, at every step (recursive: one scaled value
/// per day) or at the last step (direct: the horizon's values).
/// </summary>
public sealed class ForecastNetwork : TaskNetwork
{
    private readonly Linear fc;

    public ForecastNetwork(ModelDescription description, double dropout) : base(description, dropout)
    {
        if (description.Input.Series is not { } series) throw new ArgumentException($"a '{description.Task}' description, not a forecaster's");
        fc = Add(ModelTensors.HeadModule, nn.Linear(description.EncoderWidth, description.Head.Size));
        IsDirect = series.Strategy == ForecastStrategies.Direct;
    }

    public bool IsDirect { get; }

    /// <summary>rows [B, T, features] → recursive: [B, T] (each step's day); direct: [B, horizon].</summary>
    public Tensor Forward(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var (output, _, _) = Encode(rows);
        var result = IsDirect ? fc.call(Drop(output[.., -1])) : fc.call(Drop(output)).squeeze(2);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Recursive models, trained as they are used: the first <paramref name="fed"/> steps read the true values, each
    /// later step reads the previous step's forecast in place of the value (column 0), so the loss sees the errors
    /// a rollout compounds. rows [B, T, features] → [B, T].
    /// </summary>
    public Tensor Rollout(Tensor rows, int fed)
    {
        using var scope = NewDisposeScope();
        long steps = rows.shape[1];
        var (output, h, c) = Encode(rows[.., ..fed]);
        var outputs = new List<Tensor> { fc.call(Drop(output)).squeeze(2) };
        var previous = outputs[0][.., ^1..];
        for (long t = fed; t < steps; t++)
        {
            var x = cat([previous, rows[.., t, 1..]], 1).unsqueeze(1);
            (output, h, c) = Encode(x, (h, c));
            previous = fc.call(Drop(output)).squeeze(2);
            outputs.Add(previous);
        }
        return cat(outputs, 1).MoveToOuterDisposeScope();
    }
}
