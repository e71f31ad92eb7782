using EdgeLstm.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EdgeLstm.Trainer;

/// <summary>
/// nn.LSTM over the feature rows → dropout → Linear: at every step (recursive: one scaled value per day) or at the
/// last step (direct: the horizon's values). Field names are the state_dict prefixes of the model description's
/// tensors (lstm.*, fc.*).
/// </summary>
public sealed class ForecastNetwork : nn.Module
{
    private readonly LSTM lstm;
    private readonly Dropout drop;
    private readonly Linear fc;

    public ForecastNetwork(ModelDescription description, double dropout) : base(nameof(ForecastNetwork))
    {
        Description = description;
        var series = description.Input.Series!;
        lstm = nn.LSTM(description.Input.Size, description.Encoder[0].Hidden, numLayers: description.Encoder.Length, batchFirst: true,
            dropout: description.Encoder.Length > 1 ? dropout : 0.0);
        drop = nn.Dropout(dropout);
        fc = nn.Linear(description.Encoder[0].Hidden, description.Head.Size);
        IsDirect = series.Strategy == ForecastStrategies.Direct;
        RegisterComponents();
    }

    public ModelDescription Description { get; }
    public bool IsDirect { get; }

    /// <summary>rows [B, T, features] → recursive: [B, T] (each step's day); direct: [B, horizon].</summary>
    public Tensor Forward(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var (output, _, _) = lstm.call(rows);
        var result = IsDirect ? fc.call(drop.call(output[.., -1])) : fc.call(drop.call(output)).squeeze(2);
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
        var (output, h, c) = lstm.call(rows[.., ..fed]);
        var outputs = new List<Tensor> { fc.call(drop.call(output)).squeeze(2) };
        var previous = outputs[0][.., ^1..];
        for (long t = fed; t < steps; t++)
        {
            var x = cat([previous, rows[.., t, 1..]], 1).unsqueeze(1);
            (output, h, c) = lstm.call(x, (h, c));
            previous = fc.call(drop.call(output)).squeeze(2);
            outputs.Add(previous);
        }
        return cat(outputs, 1).MoveToOuterDisposeScope();
    }
}
