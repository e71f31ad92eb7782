using System.Numerics;

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
            // Best previous tag of every tag j at once: previous tags i in index order, each row transitions[i, ·] read
            // contiguously, a candidate replacing the best only when strictly greater (ties to the lower i). Each
            // candidate is one float add and comparisons are exact, so vector lanes and the scalar tail agree bit for bit.
            Span<int> arg = back.Slice(t * tags, tags);
            BestPrevious(score, transitions, tags, next, arg);
            for (int j = 0; j < tags; j++) next[j] += emissions[t * tags + j];
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

    /// <summary>best[j] = max over i of score[i] + transitions[i·tags + j], arg[j] = the lowest such i.</summary>
    private static void BestPrevious(ReadOnlySpan<float> score, ReadOnlySpan<float> transitions, int tags, Span<float> best, Span<int> arg)
    {
        transitions[..tags].CopyTo(best);
        for (int j = 0; j < tags; j++) best[j] += score[0];
        arg.Clear();
        int width = Vector<float>.Count, vectorEnd = Vector.IsHardwareAccelerated ? tags - tags % width : 0;
        for (int i = 1; i < tags; i++)
        {
            float s = score[i];
            ReadOnlySpan<float> row = transitions.Slice(i * tags, tags);
            var si = new Vector<float>(s);
            var vi = new Vector<int>(i);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                Vector<float> candidate = si + new Vector<float>(row[j..]);
                Vector<float> current = new(best[j..]);
                Vector<int> better = Vector.GreaterThan(candidate, current);
                Vector.ConditionalSelect(better, candidate, current).CopyTo(best[j..]);
                Vector.ConditionalSelect(better, vi, new Vector<int>(arg[j..])).CopyTo(arg[j..]);
            }
            for (; j < tags; j++)
            {
                float candidate = s + row[j];
                if (candidate > best[j]) (best[j], arg[j]) = (candidate, i);
            }
        }
    }
}
