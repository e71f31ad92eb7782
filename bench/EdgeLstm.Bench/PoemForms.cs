using EdgeLstm.Runtime.Poetry;
using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Bench;

/// <summary>
/// `bench poems`: how often sampled poems have a regulated form, with and without the form constraint. Free
/// sampling: N poems from the start of a poem to the model's newline, counted per form and in any form. Constrained:
/// N poems per form, checked by <see cref="PoemForm.IsWellFormed"/>. Seeds 1..N, temperature 0.8, no cut.
/// </summary>
public static class PoemForms
{
    public static void Run(string modelPath, int samples)
    {
        using var model = ModelLoader.Load(modelPath);
        using var session = model.CreateSession();
        var generator = new PoemGenerator(session);
        Console.WriteLine($"model {modelPath}, {samples:N0} samples each, temperature 0.8, seeds 1..{samples}");
        var counts = PoemForm.All.ToDictionary(f => f, _ => 0);
        int any = 0;
        long chars = 0;
        var clock = Stopwatch.StartNew();
        for (int s = 1; s <= samples; s++)
        {
            string poem = generator.Generate("", null, new TokenSampler(new SamplingOptions(0.8f, 0, 1f, (ulong)s)));
            chars += poem.Length;
            if (PoemForm.Of(poem) is { } form)
            {
                counts[form]++;
                any++;
            }
        }
        Console.WriteLine($"free: {100.0 * any / samples:F1}% in one of the four forms ({string.Join(", ", PoemForm.All.Select(f => $"{f.Name} {100.0 * counts[f] / samples:F1}%"))}); " +
            $"{chars / (double)samples:F1} chars a poem, {clock.Elapsed.TotalMilliseconds / samples:F2} ms a poem");
        foreach (PoemForm form in PoemForm.All)
        {
            int ok = 0;
            clock.Restart();
            for (int s = 1; s <= samples; s++)
                if (form.IsWellFormed(generator.Generate("", form, new TokenSampler(new SamplingOptions(0.8f, 0, 1f, (ulong)s))))) ok++;
            Console.WriteLine($"--form {form.Name}: {100.0 * ok / samples:F1}% well formed ({ok:N0}/{samples:N0}), {clock.Elapsed.TotalMilliseconds / samples:F2} ms a poem");
        }
    }
}
