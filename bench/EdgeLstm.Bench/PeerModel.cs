namespace EdgeLstm.Bench;

/// <summary>A peer engine behind our model interface: what the model is comes from the float model it runs the weights of.</summary>
internal abstract class PeerModel(FloatLstmModel model) : ILanguageModel
{
    protected FloatLstmModel Model { get; } = model;

    public ModelDescription Description => Model.Description;
    public ITokenizer Tokenizer => Model.Tokenizer;
    public bool HasEmbedding => Model.HasEmbedding;
    public int InputWidth => Model.InputWidth;
    public int OutputSize => Model.OutputSize;
    /// <summary>A CRF tagger's transitions: the peers compute the emissions, our Viterbi decodes them, as for our engines.</summary>
    public Runtime.Tagging.CrfTransitions? Crf => Model.Crf;

    public ILanguageModelSession CreateSession() =>
        Description.IsSteppable ? NewSession() : throw new NotSupportedException("this model does not step");

    protected abstract ILanguageModelSession NewSession();
    public abstract ISequenceRunner CreateRunner();
    public abstract ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam);
    public abstract void Dispose();
}
