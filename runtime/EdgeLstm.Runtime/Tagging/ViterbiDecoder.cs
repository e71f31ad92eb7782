using System.Numerics;

namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// The best tag path of a linear-chain CRF (Viterbi): per step and tag, the best previous tag by score, ties to the
/// lower index. Each candidate is one float add and comparisons are exact, so the path does not depend on the order
/// candidates are looked at: the decoder takes the best-scoring previous tag first and then skips every previous
/// tag that cannot reach any current best even with its largest transition (score + row max below the smallest
/// best: no candidate of that row can win or tie), which with a trained tagger's peaked scores leaves few rows to
/// read. The emissions of an int8 encoder are bit-identical on every CPU, so its paths are. No allocation: the
/// caller gives the scratch.
/// </summary>
public static class ViterbiDecoder
{
    /// <summary>Scratch floats and ints that <see cref="Decode"/> needs for <paramref name="steps"/> steps of <paramref name="tags"/> tags.</summary>
    public static (int Floats, int Ints) ScratchSize(int steps, int tags) => (3 * tags, steps * tags);

    /// <summary>Each row's largest transition (rowMax[i] = max over j of transitions[i·tags + j]): what lets <see cref="Decode"/> skip rows.</summary>
    public static void RowMaxima(ReadOnlySpan<float> transitions, int tags, Span<float> rowMax)
    {
        for (int i = 0; i < tags; i++) rowMax[i] = System.Numerics.Tensors.TensorPrimitives.Max(transitions.Slice(i * tags, tags));
    }

    /// <param name="emissions">[steps × tags] row-major scores.</param>
    /// <param name="transitions">[tags × tags]: transitions[i·tags + j] scores tag i followed by j.</param>
    /// <param name="path">Receives the best tag of each step.</param>
    /// <param name="rowMax">The transitions' <see cref="RowMaxima"/> if the caller keeps them; empty: computed into the scratch.</param>
    /// <returns>The best path's score.</returns>
    [SkipLocalsInit]
    public static float Decode(ReadOnlySpan<float> emissions, ReadOnlySpan<float> transitions, ReadOnlySpan<float> start, ReadOnlySpan<float> end,
        int tags, Span<int> path, Span<float> floatScratch, Span<int> intScratch, ReadOnlySpan<float> rowMax = default)
    {
        int steps = path.Length;
        if (tags < 1 || steps < 1 || emissions.Length != steps * tags || transitions.Length != tags * tags || start.Length != tags || end.Length != tags
            || !(rowMax.IsEmpty || rowMax.Length == tags))
            throw new ArgumentException($"Viterbi: {steps} steps × {tags} tags need {steps * tags} emissions, {tags * tags} transitions, {tags} start and end scores (and row maxima)");
        Span<float> score = floatScratch[..tags], next = floatScratch.Slice(tags, tags);
        if (rowMax.IsEmpty)
        {
            Span<float> computed = floatScratch.Slice(2 * tags, tags);
            RowMaxima(transitions, tags, computed);
            rowMax = computed;
        }
        Span<int> back = intScratch[..(steps * tags)];
        for (int j = 0; j < tags; j++) score[j] = start[j] + emissions[j];
        for (int t = 1; t < steps; t++)
        {
            BestPrevious(score, transitions, rowMax, tags, next, back.Slice(t * tags, tags));
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
    private static void BestPrevious(ReadOnlySpan<float> score, ReadOnlySpan<float> transitions, ReadOnlySpan<float> rowMax, int tags, Span<float> best, Span<int> arg)
    {
        int top = 0;
        for (int i = 1; i < tags; i++) if (score[i] > score[top]) top = i;
        float s0 = score[top];
        ReadOnlySpan<float> topRow = transitions.Slice(top * tags, tags);
        for (int j = 0; j < tags; j++) best[j] = s0 + topRow[j];
        arg.Fill(top);
        float floor = System.Numerics.Tensors.TensorPrimitives.Min(best);
        int width = Vector<float>.Count, vectorEnd = Vector.IsHardwareAccelerated ? tags - tags % width : 0;
        for (int i = 0; i < tags; i++)
        {
            float s = score[i];
            if (i == top || s + rowMax[i] < floor) continue; // every candidate of row i is below every best: none wins or ties
            ReadOnlySpan<float> row = transitions.Slice(i * tags, tags);
            var si = new Vector<float>(s);
            var vi = new Vector<int>(i);
            int j = 0;
            for (; j < vectorEnd; j += width)
            {
                Vector<float> candidate = si + new Vector<float>(row[j..]);
                Vector<float> current = new(best[j..]);
                Vector<int> currentArg = new(arg[j..]);
                // Better, or as good from a lower tag: the lowest tag among the best, whatever the order rows come in.
                Vector<int> better = Vector.GreaterThan(candidate, current) | (Vector.Equals(candidate, current) & Vector.LessThan(vi, currentArg));
                Vector.ConditionalSelect(better, candidate, current).CopyTo(best[j..]);
                Vector.ConditionalSelect(better, vi, currentArg).CopyTo(arg[j..]);
            }
            for (; j < tags; j++)
            {
                float candidate = s + row[j];
                if (candidate > best[j] || (candidate == best[j] && i < arg[j])) (best[j], arg[j]) = (candidate, i);
            }
            floor = System.Numerics.Tensors.TensorPrimitives.Min(best);
        }
    }
}
