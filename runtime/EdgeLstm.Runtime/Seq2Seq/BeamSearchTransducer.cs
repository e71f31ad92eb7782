namespace EdgeLstm.Runtime;

/// <summary>
/// Greedy and beam-search decoding over an <see cref="IAttentionDecoder"/> of either precision. Each step scores
/// every live hypothesis's next token (log-softmax), keeps the best <c>width</c> continuations of all of them,
/// sets aside those that end with &lt;/s&gt;, and reorders the decoder's states to the survivors. It stops when
/// <c>width</c> hypotheses have ended, when none is left alive, or at the decoder's max_steps. Ties go to the
/// lower hypothesis and token index, so width 1 is exactly greedy (the first best token every step).
/// </summary>
public sealed class BeamSearchTransducer : ITransducer
{
    public const int DefaultMaxBeam = 8;

    private readonly IAttentionDecoder _decoder;
    private readonly int _maxSteps, _vocabulary;
    private readonly int[] _previous, _parents, _candidateStream, _candidateToken, _lengths, _nextLengths, _finishedLength;
    private readonly int[][] _tokens, _nextTokens, _finished;
    private readonly float[] _logits, _scores, _nextScores, _candidateScore, _finishedScore;

    public BeamSearchTransducer(IAttentionDecoder decoder, ModelDescription description)
    {
        _decoder = decoder;
        Description = description;
        _maxSteps = description.Head.Decoder!.MaxSteps;
        _vocabulary = decoder.Vocabulary;
        int k = decoder.MaxStreams;
        _previous = new int[k];
        _parents = new int[k];
        _candidateStream = new int[k];
        _candidateToken = new int[k];
        _candidateScore = new float[k];
        _lengths = new int[k];
        _nextLengths = new int[k];
        _scores = new float[k];
        _nextScores = new float[k];
        _tokens = NewRows(k, _maxSteps);
        _nextTokens = NewRows(k, _maxSteps);
        _finished = NewRows(k, _maxSteps);
        _finishedLength = new int[k];
        _finishedScore = new float[k];
        _logits = new float[k * _vocabulary];
    }

    private static int[][] NewRows(int rows, int columns)
    {
        var result = new int[rows][];
        for (int i = 0; i < rows; i++) result[i] = new int[columns];
        return result;
    }

    public ModelDescription Description { get; }
    public int MaxBeam => _decoder.MaxStreams;

    public int Transduce(ReadOnlySpan<int> tokens, int beamWidth, Span<int> output)
    {
        if (beamWidth < 1 || beamWidth > MaxBeam) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, $"beam width must be 1..{MaxBeam}");
        _decoder.Begin(tokens);
        int live = 1, finished = 0;
        _previous[0] = DecoderDescription.StartId;
        _scores[0] = 0;
        _lengths[0] = 0;
        for (int step = 0; step < _maxSteps && live > 0 && finished < beamWidth; step++)
        {
            Span<float> logits = _logits.AsSpan(0, live * _vocabulary);
            _decoder.Step(_previous.AsSpan(0, live), logits);
            // The best `width` continuations over all live hypotheses (insertion into a short sorted list).
            int kept = 0;
            for (int i = 0; i < live; i++)
            {
                Span<float> row = logits.Slice(i * _vocabulary, _vocabulary);
                float logSum = LogSumExp(row);
                for (int v = DecoderDescription.EndId; v < _vocabulary; v++)
                {
                    float score = _scores[i] + (row[v] - logSum);
                    if (kept == beamWidth && score <= _candidateScore[kept - 1]) continue;
                    int at = kept < beamWidth ? kept++ : kept - 1;
                    while (at > 0 && score > _candidateScore[at - 1])
                    {
                        _candidateScore[at] = _candidateScore[at - 1];
                        _candidateStream[at] = _candidateStream[at - 1];
                        _candidateToken[at] = _candidateToken[at - 1];
                        at--;
                    }
                    (_candidateScore[at], _candidateStream[at], _candidateToken[at]) = (score, i, v);
                }
            }
            int next = 0;
            for (int c = 0; c < kept && finished < beamWidth; c++)
            {
                int parent = _candidateStream[c], token = _candidateToken[c], length = _lengths[parent];
                if (token == DecoderDescription.EndId)
                {
                    _tokens[parent].AsSpan(0, length).CopyTo(_finished[finished]);
                    _finishedLength[finished] = length;
                    _finishedScore[finished] = _candidateScore[c] / (length + 1);
                    finished++;
                    continue;
                }
                _tokens[parent].AsSpan(0, length).CopyTo(_nextTokens[next]);
                _nextTokens[next][length] = token;
                _nextLengths[next] = length + 1;
                _nextScores[next] = _candidateScore[c];
                _parents[next] = parent;
                _previous[next] = token;
                next++;
            }
            if (next > 0) _decoder.Reorder(_parents.AsSpan(0, next));
            live = next;
            for (int i = 0; i < live; i++)
            {
                (_tokens[i], _nextTokens[i]) = (_nextTokens[i], _tokens[i]);
                _lengths[i] = _nextLengths[i];
                _scores[i] = _nextScores[i];
            }
        }
        // The best finished hypothesis; if none ended within max_steps, the best live one.
        int best = -1;
        for (int f = 0; f < finished; f++)
            if (best < 0 || _finishedScore[f] > _finishedScore[best]) best = f;
        ReadOnlySpan<int> result = best >= 0 ? _finished[best].AsSpan(0, _finishedLength[best]) : _tokens[0].AsSpan(0, live > 0 ? _lengths[0] : 0);
        if (output.Length < result.Length) throw new ArgumentException($"output holds {output.Length} tokens; the result has {result.Length}", nameof(output));
        result.CopyTo(output);
        return result.Length;
    }

    /// <summary>log Σ e^v, in fixed scalar operations (<see cref="Kernels.DeterministicMath"/>), so int8 logits that are the same bits on every CPU rank the same.</summary>
    private static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = row[0];
        for (int v = 1; v < row.Length; v++) max = MathF.Max(max, row[v]);
        float sum = 0f;
        for (int v = 0; v < row.Length; v++) sum += Kernels.DeterministicMath.Exp(row[v] - max);
        return max + Kernels.DeterministicMath.Log(sum);
    }

    public void Dispose() => _decoder.Dispose();
}
