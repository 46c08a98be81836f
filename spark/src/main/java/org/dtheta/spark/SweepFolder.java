package org.dtheta.spark;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a sweep lives. A local folder ({@code file://} or a path; on a cluster, a mount every
 * executor sees): each run trains in place, so a rerun resumes an interrupted run from its last
 * saved step. Any other Hadoop URI ({@code hdfs://}, {@code s3a://}): each task trains in a
 * staging folder on its executor's local disk (a retry on that executor resumes from it) and
 * copies the finished run up, {@code run.json} last, so a run folder there is complete or
 * absent; the driver reads the runs' small files back to write the summary.
 *
 * @param out OUT as given
 * @param remote OUT's Hadoop folder when it is not local, else null
 */
record SweepFolder(String out, HadoopFolder remote) implements Serializable {

  /** Files of a run folder that are never copied up: a run's working state. */
  private static final List<String> WORKING = List.of("checkpoint.json");

  /** The small files of a run the driver reads (status, settings, summary). */
  private static final List<String> SUMMARY = List.of("run.json", "metrics.csv", "sharpness.csv",
      "spectrum.csv", "lyapunov.csv");

  /** OUT: a path or {@code file:} URI is local, any other scheme is reached through Hadoop. */
  static SweepFolder of(String out, Configuration hadoop) {
    String scheme = HadoopFolder.scheme(out);
    if (scheme == null || scheme.equals("file")) {
      Path local = scheme == null ? Path.of(out) : Path.of(URI.create(out));
      return new SweepFolder(local.toString(), null);
    }
    return new SweepFolder(out, HadoopFolder.at(out, hadoop));
  }

  /** Whether OUT is a local folder (runs train in place). */
  boolean local() {
    return remote == null;
  }

  /**
   * The local folder the driver reads and writes: OUT itself, or for a remote OUT a new
   * temporary folder holding the small files of the grid's runs found there.
   */
  Path driverFolder(List<SweepRun> grid) throws IOException {
    if (local()) {
      Path dir = Path.of(out);
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new IllegalArgumentException("--out " + dir + " exists and is not a folder");
      }
      Files.createDirectories(dir);
      return dir;
    }
    Path mirror = Files.createTempDirectory("dtheta-sweep-");
    try (FileSystem fs = remote.fileSystem()) {
      fs.mkdirs(remote.path(""));
      for (SweepRun run : grid) {
        for (String name : SUMMARY) {
          remote.download(fs, run.dir() + "/" + name, mirror.resolve(run.dir()).resolve(name));
        }
      }
    }
    return mirror;
  }

  /** After the summary is written into {@code driverFolder}: copies it up and discards the mirror. */
  void publish(Path driverFolder) throws IOException {
    if (local()) {
      return;
    }
    try (FileSystem fs = remote.fileSystem(); Stream<Path> files = Files.list(driverFolder)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        remote.upload(fs, f, f.getFileName().toString());
      }
    }
    discard(driverFolder);
  }

  /**
   * Deletes a remote OUT's local copy {@code dir}: the driver's mirror, or a task's staged run
   * (nothing for a local OUT, which is the folder itself).
   */
  void discard(Path driverFolder) throws IOException {
    if (local() || !Files.exists(driverFolder)) {
      return;
    }
    try (Stream<Path> all = Files.walk(driverFolder)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The task of {@code run}: trains where this OUT says, then (remote) copies the run up. */
  SweepRun.Outcome run(SweepRun run, MnistBytes mnist) throws IOException {
    Path work = local() ? Path.of(out) : staging();
    SweepRun.Outcome outcome = run.run(mnist, work);
    if (!local()) {
      try (FileSystem fs = remote.fileSystem()) {
        Path dir = work.resolve(run.dir());
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
          list.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith(".")
                  && !f.getFileName().toString().endsWith(".partial")
                  && !WORKING.contains(f.getFileName().toString()))
              .sorted(Comparator.comparing((Path f) -> f.getFileName().toString().equals("run.json"))
                  .thenComparing(Path::toString))
              .forEach(files::add);
        }
        for (Path f : files) { // run.json last: the driver takes a run with it as finished
          remote.upload(fs, f, run.dir() + "/" + f.getFileName());
        }
        Path log = work.resolve(run.logName());
        remote.upload(fs, log, run.logName());
        discard(dir); // the run is up there now; the staging copy only mattered for a retry
        Files.deleteIfExists(log);
      }
    }
    return outcome;
  }

  /** This executor's staging folder for OUT: the same one for every task and rerun. */
  Path staging() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String id = HexFormat.of().formatHex(md.digest(out.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return Path.of(System.getProperty("java.io.tmpdir"), "dtheta-spark-stage", id.substring(0, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
