package org.dtheta.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code testfs:}, which the jobs treat as a remote Hadoop file
 * system (as {@code hdfs:} or {@code s3a:}): how the tests exercise that path without a cluster.
 */
public class LocalTestFileSystem extends RawLocalFileSystem {

  @Override
  public URI getUri() {
    return URI.create("testfs:///");
  }

  @Override
  public String getScheme() {
    return "testfs";
  }
}
