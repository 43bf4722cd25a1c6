package dev.tandem.it;

import dev.tandem.it.stack.HybridStack;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Direct queries against the stack's shared PostgreSQL database, bypassing both apps. */
final class Sql {

    private Sql() {
    }

    /** The one number a query returns, e.g. {@code SELECT count(*) FROM shop_order}. */
    static long number(HybridStack stack, String query, Object... parameters) {
        try (Connection connection = connect(stack);
             PreparedStatement statement = connection.prepareStatement(query)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next()) {
                    throw new AssertionError("no row from " + query);
                }
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(query + " failed: " + e.getMessage(), e);
        }
    }

    /** {@code postgresql://user:password@host:port/name}, as the apps get it, opened with JDBC. */
    private static Connection connect(HybridStack stack) throws SQLException {
        if (stack.database() != HybridStack.Database.POSTGRES) {
            throw new IllegalStateException("direct SQL needs the PostgreSQL stack, not " + stack.database());
        }
        URI url = URI.create(stack.databaseUrl());
        String[] credentials = url.getUserInfo().split(":", 2);
        String jdbc = "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath();
        return DriverManager.getConnection(jdbc, credentials[0], credentials.length > 1 ? credentials[1] : "");
    }
}
