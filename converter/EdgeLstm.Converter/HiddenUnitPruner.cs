namespace EdgeLstm.Converter;

/// <summary>
/// Removes whole hidden units: unit j of layer k loses its four gate rows (i, f, g, o) in W_ih, W_hh and both
/// biases, its column in W_hh, and its column in the next layer's W_ih (or the output layer). The result is a
/// smaller dense model. Units are ranked by ‖incoming weights and biases‖ · ‖outgoing weights‖, so a unit
/// whose weights are all zero (whose h stays 0) goes first and its removal changes no output.
/// </summary>
public static class HiddenUnitPruner
{
    public static FloatLstmModel Prune(FloatLstmModel model, double fraction)
    {
        var keep = new int[model.Layers.Length][];
        for (int k = 0; k < model.Layers.Length; k++)
            keep[k] = UnitsToKeep(model, k, fraction);
        return Remove(model, keep);
    }

    /// <summary>The kept unit indices of layer <paramref name="k"/>, in their original order.</summary>
    public static int[] UnitsToKeep(FloatLstmModel model, int k, double fraction)
    {
        FloatLstmLayer layer = model.Layers[k];
        int hidden = layer.HiddenSize;
        int drop = (int)(fraction * hidden);
        if (hidden - drop < 1) throw new ArgumentException($"units:{fraction} would remove every unit of layer {k}");
        (float[] outW, int outRows) = k + 1 < model.Layers.Length
            ? (model.Layers[k + 1].WeightIh, 4 * model.Layers[k + 1].HiddenSize)
            : (model.HeadWeight, model.OutputSize);
        var score = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double incoming = 0, outgoing = 0;
            for (int gate = 0; gate < 4; gate++)
            {
                int r = gate * hidden + j;
                for (int c = 0; c < layer.InputSize; c++) incoming += Sq(layer.WeightIh[r * layer.InputSize + c]);
                for (int c = 0; c < hidden; c++) incoming += Sq(layer.WeightHh[r * hidden + c]);
                incoming += Sq(layer.BiasIh[r]) + Sq(layer.BiasHh[r]);
            }
            for (int r = 0; r < 4 * hidden; r++) outgoing += Sq(layer.WeightHh[r * hidden + j]);
            for (int r = 0; r < outRows; r++) outgoing += Sq(outW[r * hidden + j]);
            score[j] = Math.Sqrt(incoming) * Math.Sqrt(outgoing);
        }
        var order = Enumerable.Range(0, hidden).OrderBy(j => score[j]).ThenBy(j => j).ToArray();
        var kept = order[drop..];
        Array.Sort(kept);
        return kept;
    }

    public static FloatLstmModel Remove(FloatLstmModel model, int[][] keep)
    {
        var layers = new FloatLstmLayer[model.Layers.Length];
        int[]? inputKeep = null; // layer 0 keeps its whole embedding input
        for (int k = 0; k < layers.Length; k++)
        {
            FloatLstmLayer l = model.Layers[k];
            int[] units = keep[k];
            int[] rows = GateRows(units, l.HiddenSize);
            int[] inputs = inputKeep ?? Enumerable.Range(0, l.InputSize).ToArray();
            layers[k] = new FloatLstmLayer(inputs.Length, units.Length,
                Select(l.WeightIh, l.InputSize, rows, inputs), Select(l.WeightHh, l.HiddenSize, rows, units),
                Select(l.BiasIh, 1, rows, [0]), Select(l.BiasHh, 1, rows, [0]));
            inputKeep = units;
        }
        int[] allVocab = Enumerable.Range(0, model.OutputSize).ToArray();
        return model.WithWeights(layers, Select(model.HeadWeight, model.HiddenSize, allVocab, inputKeep!), (float[])model.HeadBias.Clone());
    }

    private static int[] GateRows(int[] units, int hidden)
    {
        var rows = new int[4 * units.Length];
        for (int gate = 0; gate < 4; gate++)
            for (int u = 0; u < units.Length; u++)
                rows[gate * units.Length + u] = gate * hidden + units[u];
        return rows;
    }

    private static float[] Select(float[] matrix, int columns, int[] rows, int[] cols)
    {
        var result = new float[rows.Length * cols.Length];
        for (int r = 0; r < rows.Length; r++)
            for (int c = 0; c < cols.Length; c++)
                result[r * cols.Length + c] = matrix[rows[r] * columns + cols[c]];
        return result;
    }

    private static double Sq(float v) => (double)v * v;
}
