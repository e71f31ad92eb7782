namespace EdgeLstm.Tests;

public sealed class GroupQuantizerTests
{
    private static float[] Weights(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var w = new float[rows * cols];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() * 2 - 1) * (1 + i % 7);
        return w;
    }

    private static float GroupError(float[] w, float[] back, int start, int length)
    {
        float sum = 0f;
        for (int j = start; j < start + length; j++) sum += (w[j] - back[j]) * (w[j] - back[j]);
        return sum;
    }

    [Fact]
    public void MaxAbsScalesPutEachGroupsLargestWeightOnAnEndLevelAndStayWithinHalfAStep()
    {
        const int rows = 6, cols = 96, group = 32;
        float[] w = Weights(rows, cols, 5);
        var (q, scales) = GroupQuantizer.Quantize(w, rows, cols, group, search: false);
        Assert.Equal(rows * cols / group, scales.Length);
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < cols / group; g++)
            {
                float scale = scales[r * (cols / group) + g];
                int extreme = r * cols + g * group;
                for (int j = r * cols + g * group; j < r * cols + (g + 1) * group; j++)
                {
                    Assert.InRange(q[j], (sbyte)GroupQuantizer.MinQ, (sbyte)GroupQuantizer.MaxQ);
                    Assert.True(MathF.Abs(w[j] - q[j] * scale) <= scale / 2 * 1.0001f, $"({r}, {j % cols}): more than half a step off");
                    if (MathF.Abs(w[j]) > MathF.Abs(w[extreme])) extreme = j;
                }
                Assert.Equal(w[extreme] < 0 ? GroupQuantizer.MinQ : GroupQuantizer.MaxQ, q[extreme]);
            }
    }

    [Fact]
    public void SearchedScalesNeverLoseToMaxAbsAndClipALoneOutlier()
    {
        const int rows = 8, cols = 64, group = 32;
        float[] w = Weights(rows, cols, 6);
        w[3] = 40f; // one outlier in row 0's first group
        var (q0, s0) = GroupQuantizer.Quantize(w, rows, cols, group, search: false);
        var (q1, s1) = GroupQuantizer.Quantize(w, rows, cols, group, search: true);
        float[] plain = GroupQuantizer.Dequantize(q0, s0, rows, cols, group), searched = GroupQuantizer.Dequantize(q1, s1, rows, cols, group);
        for (int start = 0; start < w.Length; start += group)
            Assert.True(GroupError(w, searched, start, group) <= GroupError(w, plain, start, group), $"group at {start}: the search made it worse");
        Assert.True(s1[0] < s0[0], "the outlier's group keeps the max-abs scale");
        Assert.True(GroupError(w, searched, 0, group) < GroupError(w, plain, 0, group));
        // Groups are independent: the outlier leaves row 0's second group as it was without it.
        float[] calm = (float[])w.Clone();
        calm[3] = 1f;
        var (_, s2) = GroupQuantizer.Quantize(calm, rows, cols, group);
        Assert.Equal(s2[1], s1[1]);
    }

    [Fact]
    public void AllZeroGroupsGetZeroAndAGroupMustDivideTheRow()
    {
        var w = new float[2 * 64];
        w[40] = 0.5f;
        var (q, scales) = GroupQuantizer.Quantize(w, 2, 64, 32);
        Assert.Equal([0f, scales[1], 0f, 0f], scales);
        Assert.True(scales[1] > 0);
        Assert.Equal(GroupQuantizer.MaxQ, q[40]);
        Assert.Throws<ArgumentException>(() => GroupQuantizer.Quantize(new float[2 * 26], 2, 26, 32));
    }
}
