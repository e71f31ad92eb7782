namespace EdgeLstm.Trainer;

/// <summary>
/// The character BiLSTM per word of input.characters (<see cref="CharacterEncoderDescription"/>): the words of a
/// batch, each its own packed sequence of character ids, through one bidirectional nn.LSTM; a word's features are
/// the forward final state and the backward final state, [N, 2·hidden]. Registered as module <c>chars</c> with
/// <c>embedding</c> and <c>lstm</c>, so the tensors carry <see cref="ModelTensors"/>' names.
/// </summary>
public sealed class CharacterWordEncoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly LSTM lstm;

    public CharacterWordEncoder(CharacterEncoderDescription description) : base(ModelTensors.CharModule)
    {
        embedding = nn.Embedding(description.Vocabulary.Length, description.Size);
        lstm = nn.LSTM(description.Size, description.Hidden, batchFirst: true, bidirectional: true);
        register_module("embedding", embedding);
        register_module("lstm", lstm);
    }

    /// <summary>chars [B, T, L] (int64, anything past a word's length), lengths [B, T] (int64, 0 for padded words) → [B, T, 2·hidden], zeros for padded words.</summary>
    public Tensor Forward(Tensor chars, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        long b = chars.shape[0], t = chars.shape[1], l = chars.shape[2];
        var flatLengths = lengths.reshape(b * t);
        var words = flatLengths.gt(0).nonzero().squeeze(1);
        var x = embedding.call(chars.reshape(b * t, l).index_select(0, words));
        var packed = nn.utils.rnn.pack_padded_sequence(x, flatLengths.index_select(0, words), batch_first: true, enforce_sorted: false);
        var (_, h, _) = lstm.call(packed);
        var states = cat([h[0], h[1]], 1); // h: [2, N, H], forward then backward
        var result = zeros(b * t, states.shape[1]).index_copy(0, words, states);
        return result.reshape(b, t, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Each word's character ids as the runtime would read them: code points of the word as written, 0 for any outside the vocabulary.</summary>
    public static int[][] Ids(CharTokenizer characters, IReadOnlyList<string> words)
    {
        var ids = new int[words.Count][];
        for (int i = 0; i < words.Count; i++)
        {
            ids[i] = characters.Encode(words[i]);
            if (ids[i].Length == 0) ids[i] = [CharTokenizer.UnknownId];
        }
        return ids;
    }
}
