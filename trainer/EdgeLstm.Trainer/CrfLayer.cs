namespace EdgeLstm.Trainer;

/// <summary>
/// A tag head's CRF parameters as a module (state_dict names crf.transitions [L, L], crf.start [L], crf.end [L],
/// <see cref="ModelTensors"/>), zero at first — so training starts from the per-step softmax's paths; the loss is
/// <see cref="CrfLoss"/>.
/// </summary>
public sealed class CrfLayer : nn.Module
{
    public CrfLayer(int tags) : base("crf")
    {
        Transitions = nn.Parameter(zeros(tags, tags));
        Start = nn.Parameter(zeros(tags));
        End = nn.Parameter(zeros(tags));
        register_parameter("transitions", Transitions);
        register_parameter("start", Start);
        register_parameter("end", End);
    }

    public Parameter Transitions { get; }
    public Parameter Start { get; }
    public Parameter End { get; }

    /// <summary>Mean negative log-likelihood per real step: emissions [B, T, L], tags [B, T] (−100 past each length).</summary>
    public Tensor Loss(Tensor emissions, Tensor tags)
    {
        using var scope = NewDisposeScope();
        var mask = tags.ne(-100);
        var gold = tags.masked_fill(mask.logical_not(), 0);
        var nll = CrfLoss.NegativeLogLikelihood(emissions, gold, mask, Transitions, Start, End);
        return (nll.sum() / mask.sum()).MoveToOuterDisposeScope();
    }

    /// <summary>The current scores, for decoding as the runtime does.</summary>
    public Runtime.Tagging.CrfTransitions Snapshot() => new(Transitions.detach().data<float>().ToArray(), Start.detach().data<float>().ToArray(),
        End.detach().data<float>().ToArray(), "training");
}
