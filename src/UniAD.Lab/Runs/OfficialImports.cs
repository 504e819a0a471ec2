using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Interop;
using UniAD.Core.Training;
using UniAD.Lab.Persistence;
using static TorchSharp.torch;

namespace UniAD.Lab.Runs;

/// <summary>An official checkpoint and its YAML, uploaded (<see cref="Uploads"/>), to evaluate on a stored dataset.</summary>
/// <param name="KeepBackbone">Keep the checkpoint's EfficientNet-B4 ImageNet weights as the lab's for new runs.</param>
/// <param name="Device">Where to evaluate it; null = the lab's device (<c>Lab:Device</c>), as for a run.</param>
public sealed record OfficialUpload(string CheckpointUpload, string CheckpointName, string ConfigUpload, string ConfigName,
    int DatasetId, string Name, bool KeepBackbone = false, string? Device = null, string User = "", IReadOnlyList<string>? Categories = null);

/// <summary>Imports official UniAD checkpoints as runs (docs/model.md section 6): every check is made when the files
/// arrive, so a bad file is refused before anything is stored; the evaluation then runs as a job of the training queue
/// and the run ends as a finished run like any other, marked with where it came from.</summary>
public sealed class OfficialImports(IDbContextFactory<LabDbContext> databases, RunRequests requests, RunLauncher launcher, IOptions<LabOptions> options)
{
    public const string Preset = "official import", KeepBackboneMarker = "keep-backbone";

    /// <returns>The queued run's id.</returns>
    /// <exception cref="InvalidFileException">The checkpoint or the YAML, with the keys or setting at fault named.</exception>
    /// <exception cref="UserException">The request, as for any run (<see cref="RunRequests"/>): the dataset, categories,
    /// name or device.</exception>
    public async Task<int> QueueAsync(OfficialUpload upload, CancellationToken cancel = default)
    {
        var (checkpoint, yaml) = (Uploads.PathOf(options.Value, upload.CheckpointUpload), Uploads.PathOf(options.Value, upload.ConfigUpload));
        try
        {
            if (!File.Exists(checkpoint) || !File.Exists(yaml)) throw new NotFoundException("the uploaded files are gone (an upload is used once)");
            var spec = await requests.CheckedAsync(new RunSpec(upload.DatasetId, upload.Name, Preset, Categories: upload.Categories, Device: upload.Device), cancel);
            var found = await Task.Run(() => OfficialRun.Check(checkpoint, yaml, upload.CheckpointName, upload.ConfigName), cancel);
            var run = new RunRecord
            {
                Name = spec.Name!, DatasetId = upload.DatasetId, Status = RunStatus.Queued, CreatedAt = DateTime.UtcNow, CreatedBy = upload.User,
                Request = new RunRequest
                {
                    Categories = [.. spec.Categories!], Preset = Preset, ConfigJson = found.Config.ToJson(), Seed = found.Config.Training.Seed,
                    Device = spec.Device!, Queue = spec.Queue!,
                },
                Progress = new RunProgress { Epoch = found.Epoch, TotalEpochs = found.Epoch },
                Provenance = new RunProvenance
                {
                    CodeVersion = CodeVersion.Current, ImportedSha256 = found.Sha256,
                    ImportedFrom = $"{OfficialRun.OfficialSource}: {upload.CheckpointName}, epoch {found.Epoch}",
                },
            };
            return await launcher.QueuePreparedAsync(run, folder =>
            {
                var source = Directory.CreateDirectory(new RunFolder(folder).OfficialSources).FullName;
                File.Move(checkpoint, Path.Combine(source, OfficialRun.ExportCheckpointFile));
                File.Move(yaml, Path.Combine(source, OfficialRun.ExportConfigFile));
                if (upload.KeepBackbone) File.WriteAllText(Path.Combine(source, KeepBackboneMarker), "keep the EfficientNet-B4 weights for new runs\n");
            }, cancel);
        }
        finally
        {
            File.Delete(checkpoint);
            File.Delete(yaml);
        }
    }

    /// <summary>The import job's work: evaluate the stored checkpoint into the run's folder, record its config with the
    /// backbone file it now has, and keep the backbone when asked.</summary>
    internal ExperimentResult Evaluate(RunRecord run, AnomalyDataset dataset, Device device, ExperimentHooks hooks, CancellationToken cancel)
    {
        var source = new RunFolder(run.Folder).OfficialSources;
        var import = OfficialRun.Import(new OfficialImportRequest(Path.Combine(source, OfficialRun.ExportCheckpointFile),
            Path.Combine(source, OfficialRun.ExportConfigFile), dataset, run.Folder, device, options.Value.FeatureCacheFolder), hooks, cancel);
        if (import.Provenance.Sha256 != run.Provenance.ImportedSha256)
            throw new InvalidDataException("the stored checkpoint is not the file that was uploaded (its SHA-256 differs)");
        using (var db = databases.CreateDbContext())
        {
            db.Runs.Single(r => r.Id == run.Id).Request.ConfigJson = import.Config.ToJson();
            db.SaveChanges();
        }
        if (File.Exists(Path.Combine(source, KeepBackboneMarker))) Keep(import.Config.Backbone.WeightsPath!);
        return import.Result;
    }

    /// <summary>Copies a backbone weights file into the lab's weights folder under a name from its content.</summary>
    private void Keep(string weights)
    {
        using var file = File.OpenRead(weights);
        var name = $"efficientnet-b4-{Convert.ToHexStringLower(SHA256.HashData(file))[..12]}.safetensors";
        Directory.CreateDirectory(options.Value.WeightsFolder);
        var kept = Path.Combine(options.Value.WeightsFolder, name);
        if (!File.Exists(kept)) File.Copy(weights, kept);
        File.SetLastWriteTimeUtc(kept, DateTime.UtcNow);                   // the newest kept is the one new runs use
    }

    /// <summary>The EfficientNet-B4 weights the lab kept last, or null: what a new run uses when its config names none.</summary>
    public static string? KeptEfficientNetB4(LabOptions options) =>
        Directory.Exists(options.WeightsFolder)
            ? new DirectoryInfo(options.WeightsFolder).EnumerateFiles("efficientnet-b4-*.safetensors")
                .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName
            : null;
}
