using BenchmarkDotNet.Running;
using EdgeLstm.Bench;

// edgelstm-bench steps [hidden...] | kernels [hidden] | profile [hidden] | model [elstm safetensors] | compare A.elstm B.elstm... | classify | forecast [elstm safetensors csv] | g2p [elstm safetensors lexicon] | poems [model] [samples] | quatrains TEST PLOT MODEL[=LABEL]... | quatrains-plot PLOT TABLE... | peers model.safetensors texts [count] | pareto [out.md [task...]] | runner-profile [hidden] [steps] | int4-accuracy [model...] | bandwidth | cores | products | bdn [BenchmarkDotNet args]
switch (args.FirstOrDefault())
{
    case "steps":
        StepHarness.Run(args.Length > 1 ? args[1..].Select(int.Parse).ToArray() : [256, 512, 1024]);
        break;
    case "kernels":
        StepHarness.Kernels(args.Length > 1 ? int.Parse(args[1]) : 512);
        break;
    case "model":
        StepHarness.DefaultModel(args.Length > 1 ? args[1] : "runtime/models/moby-dick-char.elstm", args.Length > 2 ? args[2] : "runtime/models/moby-dick-char.safetensors");
        break;
    case "compare" when args.Length > 2:
        ModelComparison.Run(args[1..]);
        break;
    case "classify":
        ClassifyLatency.Run();
        break;
    case "forecast":
        ForecastLatency.Run(args.Length > 1 ? args[1] : "runtime/models/births-forecast.elstm", args.Length > 2 ? args[2] : "runtime/models/births-forecast.safetensors",
            args.Length > 3 ? args[3] : ".cache/forecast/births.csv");
        break;
    case "g2p":
        G2pLatency.Run(args.Length > 1 ? args[1] : "runtime/models/g2p.elstm", args.Length > 2 ? args[2] : "runtime/models/g2p.safetensors",
            args.Length > 3 ? args[3] : ".cache/g2p/cmudict.tsv");
        break;
    case "pareto":
        ParetoSuite.Run(args.Length > 1 ? args[1] : "docs/pareto.md", args.Length > 2 ? args[2..] : []);
        break;
    case "pareto-plots":
        return ParetoFigures.Redraw(args.Length > 1 ? args[1] : "docs/pareto.md");
    case "pareto-run":
        return ParetoRun.Run(args[1..]);
    case "poems":
        PoemForms.Run(args.Length > 1 ? args[1] : "runtime/models/tang-poetry.elstm", args.Length > 2 ? int.Parse(args[2]) : 1000);
        break;
    case "quatrains":
        return QuatrainEvaluation.Run(args[1..]);
    case "quatrains-plot":
        return QuatrainEvaluation.Redraw(args[1..]);
    case "peers" when args.Length is 3 or 4:
        PeerParity.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3]) : 50);
        break;
    case "runners" when args.Length == 4:
        RunnerComparison.Run(args[1], args[2], args[3]);
        break;
    case "int4-accuracy":
        Int4Accuracy.Run(args[1..]);
        break;
    case "runner-profile":
        RunnerProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 64, args.Length > 2 ? int.Parse(args[2]) : 300);
        break;
    case "profile":
        StepProfile.Run(args.Length > 1 ? int.Parse(args[1]) : 512);
        break;
    case "bandwidth":
        StepHarness.Bandwidth();
        break;
    case "cores":
        CoreScalingProbe.Run();
        break;
    case "products":
        ProductFormProbe.Run();
        break;
    case "bdn":
        // In process: BenchmarkDotNet's default toolchain rebuilds the project by the assembly's name, and
        // edgelstm-bench is not EdgeLstm.Bench.csproj.
        string[] bdnArgs = args[1..].Contains("--inProcess") ? args[1..] : [.. args[1..], "--inProcess"];
        BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(bdnArgs);
        break;
    default:
        Console.Error.WriteLine("usage: edgelstm-bench steps [hidden...] | kernels [hidden] | profile [hidden] | model [elstm safetensors] | compare A.elstm B.elstm... | classify | forecast [elstm safetensors csv] | g2p [elstm safetensors lexicon] | poems [model] [samples] | quatrains TEST PLOT MODEL[=LABEL]... | quatrains-plot PLOT TABLE... | peers model.safetensors texts [count] | pareto [out.md [task...]] | runner-profile [hidden] [steps] | int4-accuracy [model...] | bandwidth | cores | products | bdn [BenchmarkDotNet args]");
        return 2;
}
return 0;
