namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// The best tag path of a linear-chain CRF (Viterbi): per step and tag, the best previous tag by score. Float
/// arithmetic in one fixed order (previous tags in index order, ties to the lower index), so the same emissions
/// give the same path on every CPU; the emissions of an int8 encoder are themselves bit-identical, so its paths are.
/// No allocation: the caller gives the scratch.
/// </summary>
public static class ViterbiDecoder
{
    /// <summary>Scratch floats and ints that <see cref="Decode"/> needs for <paramref name="steps"/> steps of <paramref name="tags"/> tags.</summary>
    public static (int Floats, int Ints) ScratchSize(int steps, int tags) => (2 * tags, steps * tags);

    /// <param name="emissions">[steps × tags] row-major scores.</param>
    /// <param name="transitions">[tags × tags]: transitions[i·tags + j] scores tag i followed by j.</param>
    /// <param name="path">Receives the best tag of each step.</param>
    /// <returns>The best path's score.</returns>
    [SkipLocalsInit]
    public static float Decode(ReadOnlySpan<float> emissions, ReadOnlySpan<float> transitions, ReadOnlySpan<float> start, ReadOnlySpan<float> end,
        int tags, Span<int> path, Span<float> floatScratch, Span<int> intScratch)
    {
        int steps = path.Length;
        if (tags < 1 || steps < 1 || emissions.Length != steps * tags || transitions.Length != tags * tags || start.Length != tags || end.Length != tags)
            throw new ArgumentException($"Viterbi: {steps} steps × {tags} tags need {steps * tags} emissions, {tags * tags} transitions and {tags} start and end scores");
        Span<float> score = floatScratch[..tags], next = floatScratch.Slice(tags, tags);
        Span<int> back = intScratch[..(steps * tags)];
        for (int j = 0; j < tags; j++) score[j] = start[j] + emissions[j];
        for (int t = 1; t < steps; t++)
        {
            for (int j = 0; j < tags; j++)
            {
                float best = score[0] + transitions[j];
                int arg = 0;
                for (int i = 1; i < tags; i++)
                {
                    float s = score[i] + transitions[i * tags + j];
                    if (s > best) (best, arg) = (s, i);
                }
                next[j] = best + emissions[t * tags + j];
                back[t * tags + j] = arg;
            }
            next.CopyTo(score);
        }
        int last = 0;
        float total = score[0] + end[0];
        for (int j = 1; j < tags; j++)
            if (score[j] + end[j] > total) (total, last) = (score[j] + end[j], j);
        for (int t = steps - 1; t >= 0; t--)
        {
            path[t] = last;
            last = back[t * tags + last];
        }
        return total;
    }
}
