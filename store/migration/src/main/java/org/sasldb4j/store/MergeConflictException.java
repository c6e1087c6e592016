package org.sasldb4j.store;

import java.util.List;

/**
 * A merge found users whose records differ between source and target and was not told which
 * side wins; nothing was written. The caller lists {@link #users()}, one per line, and says
 * how to choose a side.
 */
public final class MergeConflictException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> users;

    MergeConflictException(List<String> users) {
        super(users.size() + (users.size() == 1 ? " user differs" : " users differ") + " between source and target"
                + " and neither file says which is newer; nothing was written");
        this.users = List.copyOf(users);
    }

    /** Each conflicting user with what differs (names and counts, never a value). */
    public List<String> users() {
        return users;
    }
}
