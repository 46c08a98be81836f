package org.dtheta.spark;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A Zarr v2 group written through Hadoop's FileSystem API ({@code file://}, {@code hdfs://},
 * {@code s3a://}, ...): JSON metadata files and one file per chunk, each written under a
 * temporary name and renamed, so a file is complete or absent. No Zarr library: v2 is JSON plus
 * raw chunk bytes (uncompressed, no filters).
 *
 * @param root the group's URI
 * @param hadoop the Hadoop settings the driver had (credentials, endpoints), for the executors
 */
record ZarrStore(String root, Map<String, String> hadoop) implements Serializable {

  static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
      .serializeSpecialFloatingPointValues().create();

  /** The store at {@code out}: a URI with a scheme, or a local path. */
  static ZarrStore at(String out, Configuration conf) {
    URI uri = URI.create(out.replace(" ", "%20"));
    String root = uri.getScheme() != null && uri.getScheme().length() > 1 ? out
        : java.nio.file.Path.of(out).toAbsolutePath().normalize().toUri().toString();
    Map<String, String> settings = new HashMap<>();
    for (Map.Entry<String, String> e : conf) {
      settings.put(e.getKey(), e.getValue());
    }
    return new ZarrStore(root, settings);
  }

  /**
   * The file system of the store; the local one without checksums, since Hadoop's default for
   * {@code file://} writes a {@code .crc} file beside each chunk that Zarr readers would list.
   */
  FileSystem fileSystem() throws IOException {
    Configuration conf = new Configuration(false);
    hadoop.forEach(conf::set);
    FileSystem fs = FileSystem.get(URI.create(root), conf);
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  /** The path of {@code name} (e.g. {@code step_0/3.0}) in the group. */
  Path path(String name) {
    return name.isEmpty() ? new Path(root) : new Path(new Path(root), name);
  }

  /** Whether {@code name} exists; its length, or -1 if it does not. */
  long length(FileSystem fs, String name) throws IOException {
    Path p = path(name);
    if (!fs.exists(p)) {
      return -1;
    }
    FileStatus s = fs.getFileStatus(p);
    return s.isFile() ? s.getLen() : -1;
  }

  /** Writes {@code name} as JSON (pretty-printed, as zarr-python does). */
  void writeJson(FileSystem fs, String name, Object value) throws IOException {
    write(fs, name, (JSON.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Reads {@code name} as text. */
  String readString(FileSystem fs, String name) throws IOException {
    try (var in = fs.open(path(name))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Writes {@code bytes} to {@code name} under a temporary name in the same folder, then renames
   * it: readers never see part of a file, and a retried task simply writes it again.
   */
  void write(FileSystem fs, String name, byte[] bytes) throws IOException {
    Path target = path(name);
    Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    if (fs.exists(target)) {
      fs.delete(target, false); // only this job's own files get here: the job claimed the group
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      throw new IOException(target + ": could not rename " + tmp + " into place");
    }
  }
}
