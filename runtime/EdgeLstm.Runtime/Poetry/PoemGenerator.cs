using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Runtime.Poetry;

/// <summary>
/// Samples a poem from a character language model trained on one poem per line. Without a form it samples until
/// the model ends the poem (a newline). With a <see cref="PoemForm"/> decoding is constrained: where the form
/// wants a character, every token that is not a Han character gets no probability (the sampler sees −∞); where
/// it wants a mark, the mark is fed without sampling. So every constrained poem has the form, and the model still
/// chooses every character. The start is a newline (the end of a previous poem), then the prompt.
/// </summary>
public sealed class PoemGenerator
{
    private readonly ILanguageModelSession _session;
    private readonly bool[] _isHan;
    private readonly float[] _masked;
    private readonly int _newline, _comma, _fullStop;

    public PoemGenerator(ILanguageModelSession session)
    {
        _session = session;
        ITokenizer tokenizer = session.Tokenizer;
        if (tokenizer is not CharTokenizer chars) throw new ArgumentException("poems need a character model (one token per code point)");
        _isHan = new bool[tokenizer.VocabularySize];
        for (int id = 0; id < _isHan.Length; id++)
            _isHan[id] = id != CharTokenizer.UnknownId && PoemForm.IsHan(chars.GetRune(id));
        _masked = new float[tokenizer.VocabularySize];
        _newline = Id(chars, '\n', "a newline (poems one per line)");
        _comma = Id(chars, PoemForm.Comma, "the comma ，");
        _fullStop = Id(chars, PoemForm.FullStop, "the full stop 。");
    }

    private static int Id(CharTokenizer tokenizer, char c, string what) =>
        tokenizer.TryGetId(new Rune(c), out int id) ? id : throw new ArgumentException($"the model does not know {what}; it is not a poetry model");

    /// <summary>The poem (prompt included, no newline): in <paramref name="form"/>, or free until a newline or <paramref name="maxChars"/> characters.</summary>
    public string Generate(string prompt, PoemForm? form, TokenSampler sampler, int maxChars = 200)
    {
        var poem = new StringBuilder(prompt);
        int position = 0;
        if (form is not null && !form.MatchesPrefix(prompt, out position))
            throw new ArgumentException($"--prompt '{prompt}' cannot begin a {form.Name} poem ({form.Lines} lines of {form.LineLength} Han characters, ，and 。 after alternate lines)");
        _session.Reset();
        _session.Step(_newline);
        if (prompt.Length > 0) _session.Prefill(_session.Tokenizer.EncodeStrict(prompt, "--prompt"));
        if (form is null)
        {
            for (int n = 0; n < maxChars; n++)
            {
                int next = sampler.Sample(_session.Logits);
                if (next == _newline) break;
                poem.Append(_session.Tokenizer.TokenText(next));
                _session.Step(next);
            }
            return poem.ToString();
        }
        for (; position < form.Length; position++)
        {
            int next;
            if (form.MarkAt(position) is { } mark)
                next = mark == PoemForm.Comma ? _comma : _fullStop;
            else
            {
                ReadOnlySpan<float> logits = _session.Logits;
                for (int id = 0; id < _masked.Length; id++) _masked[id] = _isHan[id] ? logits[id] : float.NegativeInfinity;
                next = sampler.Sample(_masked);
            }
            poem.Append(_session.Tokenizer.TokenText(next));
            if (position + 1 < form.Length) _session.Step(next);
        }
        return poem.ToString();
    }
}
