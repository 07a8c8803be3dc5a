"""The framework floor: token auth, a DRF serializer, one INSERT in a transaction, a JSON answer."""

from django.db import transaction
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.floor_app.models import FloorRow


class FloorRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = FloorRow
        fields = ["id", "name", "created_at"]


class FloorView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        body = FloorRowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            row = body.save()
        return Response(FloorRowSerializer(row).data, status=status.HTTP_201_CREATED)
