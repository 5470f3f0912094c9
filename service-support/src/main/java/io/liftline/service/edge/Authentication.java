package io.liftline.service.edge;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Asks every request for an API key ({@code Authorization: Bearer <key>}) that has this service's scope: 401
 * without a key or with an unknown one, 403 for a key without the scope (a scanner's key on the read API, an
 * analyst's on the ingest API). The client goes to the request, for the rate limit and the resort checks.
 */
public final class Authentication extends Handler.Wrapper {

    /** The request attribute holding the authenticated {@link ApiKeys.Client}. */
    static final String CLIENT = "io.liftline.edge.client";

    private final ApiKeys keys;
    private final ApiKeys.Scope scope;

    public Authentication(ApiKeys keys, ApiKeys.Scope scope, Handler next) {
        super(next);
        this.keys = keys;
        this.scope = scope;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        ApiKeys.Client client = keys.authenticate(authorization);
        if (client == null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"liftline\"");
            RefusedBody.answer(
                    request,
                    response,
                    callback,
                    401,
                    authorization != null ? "unknown API key" : "an API key is required: Authorization: Bearer <key>");
            return true;
        }
        if (!client.may(scope)) {
            RefusedBody.answer(
                    request,
                    response,
                    callback,
                    403,
                    "the API key of client " + client.name() + " may not " + scope.may() + " (its scope: "
                            + client.scopeWords() + ")");
            return true;
        }
        request.setAttribute(CLIENT, client);
        return super.handle(request, response, callback);
    }
}
